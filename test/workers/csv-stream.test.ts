// The streaming CSV reader's tests again inside workerd (its TextDecoder, its ReadableStream): the
// Workers import path reads uploads with it too.
import '../imports/csv-stream.test.ts';
