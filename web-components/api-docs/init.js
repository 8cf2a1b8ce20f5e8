// Starts swagger-ui on the API's own document (a file, not an inline script: the CSP allows
// same-origin scripts only). Served as /api-docs/init.js beside swagger-ui's files.
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // No validator.swagger.io badge: it would send the document to another origin.
  validatorUrl: null,
});
