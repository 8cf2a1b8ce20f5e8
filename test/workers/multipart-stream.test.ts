// The streaming multipart reader's tests again inside workerd (its Request, its streams).
import '../imports/multipart-stream.test.ts';
