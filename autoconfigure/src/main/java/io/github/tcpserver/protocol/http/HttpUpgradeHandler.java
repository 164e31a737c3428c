package io.github.tcpserver.protocol.http;

/**
 * The hook through which another protocol takes over an HTTP connection (RFC 9110 §7.8, such as
 * a WebSocket handshake, RFC 6455 §4.2). Asked about every request before the
 * {@link HttpHandler}; called on the I/O thread, so it must not block.
 */
@FunctionalInterface
public interface HttpUpgradeHandler {

	/**
	 * @param request a complete request
	 * @return {@code null} to let the {@link HttpHandler} answer the request as usual, or the
	 * decision: {@link HttpUpgrade#refuse refuse} with an ordinary response, or
	 * {@link HttpUpgrade#switchTo switch} protocols for good
	 */
	HttpUpgrade upgrade(HttpRequest request);

}
