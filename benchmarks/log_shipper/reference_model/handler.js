// A behavioural model of the AWS console's "LogsToElasticsearch" subscription function, written
// for this benchmark from its documented behaviour (it is not that function's source):
//   - base64, then an asynchronous gunzip (zlib's callback form, which runs on libuv's thread
//     pool), then JSON.parse of event.awslogs.data; CONTROL_MESSAGE is acknowledged;
//   - one document per event with @id, @timestamp, @message, @owner, @log_group, @log_stream,
//     added to the JSON object found in the message, which is parsed twice (once to check that
//     it is JSON, once to use it); index cwl-YYYY.MM.DD; the action and document lines of an
//     event are joined, then appended to the body;
//   - the bulk "index" operation with _id = event id and a mapping _type (the log group), the
//     whole batch in ONE request, uncompressed, SigV4-signed by hand with node's crypto, over
//     node's default keep-alive agent;
//   - no retries: a failed request fails the invocation, failed items are only counted;
//   - two log lines per invocation: the response's status code, then the outcome.
// OpenSearch 2.x refuses every request whose action lines carry _type, so this function cannot
// index into it at all; the benchmark endpoint accepts _type so the two can be compared.
'use strict';
const crypto = require('crypto');
const http = require('http');
const https = require('https');
const zlib = require('zlib');

const endpoint = new URL(process.env.OPENSEARCH_ENDPOINT);
const region = process.env.AWS_REGION || 'us-east-1';
const agent = endpoint.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });

function hmac(key, text, encoding) {
  return crypto.createHmac('sha256', key).update(text, 'utf8').digest(encoding);
}

function sha256(text, encoding) {
  return crypto.createHash('sha256').update(text, 'utf8').digest(encoding);
}

function documentFor(payload, event) {
  let source = {};
  const start = event.message.indexOf('{');
  if (start >= 0) {
    const candidate = event.message.substring(start);
    let valid = true;
    try { JSON.parse(candidate); } catch (ignored) { valid = false; }  // the validity check
    if (valid) source = JSON.parse(candidate);  // the parse whose result becomes the document
  }
  source['@id'] = event.id;
  source['@timestamp'] = new Date(event.timestamp).toISOString();
  source['@message'] = event.message;
  source['@owner'] = payload.owner;
  source['@log_group'] = payload.logGroup;
  source['@log_stream'] = payload.logStream;
  return source;
}

function indexName(timestamp) {
  const day = new Date(timestamp);
  const pad = (n) => String(n).padStart(2, '0');
  return `cwl-${day.getUTCFullYear()}.${pad(day.getUTCMonth() + 1)}.${pad(day.getUTCDate())}`;
}

function bulkBody(payload) {
  let body = '';
  for (const event of payload.logEvents) {
    const action = { index: { _index: indexName(event.timestamp), _type: payload.logGroup, _id: event.id } };
    body += [JSON.stringify(action), JSON.stringify(documentFor(payload, event))].join('\n') + '\n';
  }
  return body;
}

function signedHeaders(body) {
  const now = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
  const date = now.substring(0, 8);
  const payloadHash = sha256(body, 'hex');
  const headers = {
    'Content-Type': 'application/json', Host: endpoint.host, 'X-Amz-Date': now,
    'X-Amz-Content-Sha256': payloadHash, 'X-Amz-Security-Token': process.env.AWS_SESSION_TOKEN || '',
  };
  const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const canonicalHeaders = names.map((name) => {
    const original = Object.keys(headers).find((h) => h.toLowerCase() === name);
    return `${name}:${String(headers[original]).trim()}\n`;
  }).join('');
  const scope = `${date}/${region}/es/aws4_request`;
  const canonicalRequest = ['POST', '/_bulk', '', canonicalHeaders, names.join(';'), payloadHash].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', now, scope, sha256(canonicalRequest, 'hex')].join('\n');
  let key = hmac('AWS4' + process.env.AWS_SECRET_ACCESS_KEY, date);
  for (const part of [region, 'es', 'aws4_request']) key = hmac(key, part);
  headers.Authorization = `AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID}/${scope}, `
    + `SignedHeaders=${names.join(';')}, Signature=${hmac(key, toSign, 'hex')}`;
  headers['Content-Length'] = Buffer.byteLength(body);
  return headers;
}

function post(body) {
  return new Promise((resolve, reject) => {
    const request = (endpoint.protocol === 'https:' ? https : http).request({
      host: endpoint.hostname, port: endpoint.port, method: 'POST', path: '/_bulk', agent,
      headers: signedHeaders(body),
    }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ statusCode: response.statusCode, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function gunzip(buffer) {
  return new Promise((resolve, reject) => zlib.gunzip(buffer, (error, result) => (error ? reject(error) : resolve(result))));
}

exports.handler = async (event) => {
  const payload = JSON.parse((await gunzip(Buffer.from(event.awslogs.data, 'base64'))).toString('utf8'));
  if (payload.messageType === 'CONTROL_MESSAGE') return { shipped: 0 };
  const response = await post(bulkBody(payload));
  if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`bulk failed: ${response.statusCode}`);
  const result = JSON.parse(response.body);
  const failed = result.items.filter((item) => item.index.status >= 300).length;
  const outcome = { attemptedItems: result.items.length, successfulItems: result.items.length - failed, failedItems: failed };
  console.log('Response: ' + JSON.stringify({ statusCode: response.statusCode }));
  console.log('Success: ' + JSON.stringify(outcome));
  return { shipped: outcome.successfulItems, failed };  // failed items are dropped here
};
