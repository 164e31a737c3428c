/**
 * HTTP/1.1 (RFC 9110, RFC 9112) as a {@link io.github.tcpserver.core.ConnectionHandler}: a pure
 * request parser, request and response types, a small router and the connection handler that
 * ties them to the reactor.
 */
package io.github.tcpserver.protocol.http;
