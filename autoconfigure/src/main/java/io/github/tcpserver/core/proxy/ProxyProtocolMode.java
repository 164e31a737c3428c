package io.github.tcpserver.core.proxy;

/**
 * Which PROXY protocol versions a listener expects in front of every connection. The header is
 * never optional: a connection without a valid one is closed, since a client reaching the
 * listener directly could otherwise claim any address (proxy-protocol.txt section 2).
 */
public enum ProxyProtocolMode {

	/** No header: the socket's peer is the client. */
	OFF,

	/** The version 1 text header only. */
	V1,

	/** The version 2 binary header only. */
	V2,

	/** Either version, told apart by the first byte ({@code P} or the v2 signature's {@code 0x0D}). */
	ANY;

	boolean accepts(int version) {
		return this == ANY || (version == 1 && this == V1) || (version == 2 && this == V2);
	}

}
