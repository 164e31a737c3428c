package io.github.tcpserver.protocol.http;

/**
 * The application's side of HTTP: turns one request into its response. Called on the
 * connection's I/O thread, so it must not block; what it throws is answered 500.
 */
@FunctionalInterface
public interface HttpHandler {

	/**
	 * @param request the complete request, body included
	 * @return the response to send
	 * @throws Exception anything; the client gets a 500 and the connection stays usable
	 */
	HttpResponse handle(HttpRequest request) throws Exception;

}
