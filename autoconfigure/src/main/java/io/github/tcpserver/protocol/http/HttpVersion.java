package io.github.tcpserver.protocol.http;

/**
 * The protocol versions this server speaks (RFC 9112 §2.3). A request of another major version
 * is answered 505; a later 1.x minor version is treated as 1.1, as RFC 9110 §6.2 allows.
 */
public enum HttpVersion {

	/** HTTP/1.0: the connection closes after each response unless keep-alive is asked for. */
	HTTP_1_0("HTTP/1.0"),

	/** HTTP/1.1: persistent connections, chunked transfer coding, {@code Host} required. */
	HTTP_1_1("HTTP/1.1");

	private final String text;

	HttpVersion(String text) {
		this.text = text;
	}

	@Override
	public String toString() {
		return this.text;
	}

}
