import { describe, expect, test } from '@jest/globals';
import { ApiError } from '../../src/questionpro/api-error.js';
import { parseErrorBody } from '../../src/questionpro/error-body.js';
import { isRetryable, parseRetryAfter } from '../../src/questionpro/retry-policy.js';

// Verbatim style of the vendor's documentation: not valid JSON (`docs` is unquoted).
const vendor500 = `{
    "response": {
     "error": {
         "docs": www.questionpro.com/api/error-codes.html
         "name": "INTERNAL_SERVER_ERROR",
         "httpStatusCode": 500,
         "id" : "1026",
         "message": "We are not able to process your request",
         "resourceUrl":"resource_url"
        }
    }
}`;

describe('error bodies', () => {
  test('when the body is the vendor example (invalid JSON), then name, id and message are still read', () => {
    expect(parseErrorBody(vendor500, 'application/json')).toEqual({
      name: 'INTERNAL_SERVER_ERROR',
      id: '1026',
      message: 'We are not able to process your request',
      requestId: undefined,
    });
  });

  test('when the body is valid JSON with a requestID, then all four are read', () => {
    const body = JSON.stringify({
      response: { error: { name: 'UNAUTHORIZED', id: '1010', message: 'Incorrect API Key' } },
      requestID: 'r-1',
    });
    expect(parseErrorBody(body)).toEqual({ name: 'UNAUTHORIZED', id: '1010', message: 'Incorrect API Key', requestId: 'r-1' });
  });

  test('when the body is an HTML page from a proxy, then its title is the message', () => {
    const html = '<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>';
    expect(parseErrorBody(html, 'text/html')).toEqual({ message: 'HTML page: 503 Service Temporarily Unavailable' });
  });

  test('when the body is plain text or empty, then a short snippet or nothing is kept', () => {
    expect(parseErrorBody('upstream   connect error\n', 'text/plain')).toEqual({ message: 'upstream connect error' });
    expect(parseErrorBody('')).toEqual({});
  });
});

describe('API errors', () => {
  test('when an API error is described, then status, name, id, message and requestID are all in its message', () => {
    const error = new ApiError('QuestionPro API error', {
      kind: 'http',
      httpStatus: 404,
      body: { name: 'NOT_FOUND', id: '1040', message: "The resource that you're trying to access doesn't exist" },
      requestId: 'abc-123',
    });
    expect(error.code).toBe('API_NOT_FOUND');
    expect(error.message).toBe(
      `QuestionPro API error, HTTP 404, NOT_FOUND, id 1040, "The resource that you're trying to access doesn't exist", requestID abc-123`,
    );
    expect(error.fatal).toBe(false);
  });

  test.each([
    [500, undefined, true],
    [502, undefined, true],
    [503, undefined, true],
    [504, undefined, true],
    [429, 'Rate limit exceeded', true],
    [429, 'API call limit exceeded', false],
    [400, undefined, false],
    [401, undefined, false],
    [403, undefined, false],
    [404, undefined, false],
  ])('when the API answers %i (%p), then retryable is %p', (httpStatus, message, expected) => {
    const error = new ApiError('x', { kind: 'http', httpStatus, body: message ? { message } : {} });
    expect(isRetryable(error)).toBe(expected);
  });

  test('when the key is refused or the call allowance is used up, then the error is fatal to the run', () => {
    expect(new ApiError('x', { kind: 'http', httpStatus: 401 }).fatal).toBe(true);
    expect(new ApiError('x', { kind: 'http', httpStatus: 429, body: { message: 'API call limit exceeded' } }).code).toBe(
      'API_QUOTA_EXHAUSTED',
    );
  });

  test('when the network fails or times out, then it is retryable; an unknown request failure is not', () => {
    expect(isRetryable(new ApiError('x', { kind: 'network', networkCode: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new ApiError('x', { kind: 'timeout' }))).toBe(true);
    expect(isRetryable(new ApiError('x', { kind: 'network', code: 'API_REQUEST_FAILED' }))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
  });

  test('when Retry-After is seconds or a date, then it becomes milliseconds', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
