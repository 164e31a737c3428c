package io.github.tcpserver.protocol.http;

import io.github.tcpserver.core.ConnectionHandler;

/**
 * What an {@link HttpUpgradeHandler} decided about a request: either an ordinary response that
 * refuses it (the connection stays HTTP), or a {@code 101 Switching Protocols} response after which
 * the connection, and every byte that follows the request, belongs to another
 * {@link ConnectionHandler}.
 */
public final class HttpUpgrade {

	private final HttpResponse response;

	private final ConnectionHandler protocol;

	private HttpUpgrade(HttpResponse response, ConnectionHandler protocol) {
		this.response = response;
		this.protocol = protocol;
	}

	/**
	 * @param response the answer, such as 400, 403 or 426
	 * @return a refusal: the response is sent and the connection goes on with HTTP
	 */
	public static HttpUpgrade refuse(HttpResponse response) {
		if (response.statusCode() == 101) {
			throw new IllegalArgumentException("A refusal cannot be 101 Switching Protocols");
		}
		return new HttpUpgrade(response, null);
	}

	/**
	 * @param switching the {@code 101} response, with its {@code Upgrade} field; the server adds
	 * {@code Connection: Upgrade}
	 * @param protocol the handler that owns the connection after the response: its
	 * {@code onOpen} comes right after the response is queued, then {@code onRead} with any bytes the
	 * client sent after the request
	 * @return a switch
	 */
	public static HttpUpgrade switchTo(HttpResponse switching, ConnectionHandler protocol) {
		if (switching.statusCode() != 101) {
			throw new IllegalArgumentException("A switch is answered 101 but was " + switching.statusCode());
		}
		return new HttpUpgrade(switching, protocol);
	}

	/** @return the response to send */
	public HttpResponse response() {
		return this.response;
	}

	/** @return the protocol the connection switches to, or {@code null} for a refusal */
	public ConnectionHandler protocol() {
		return this.protocol;
	}

}
