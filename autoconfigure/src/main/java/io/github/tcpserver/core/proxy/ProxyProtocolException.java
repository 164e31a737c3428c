package io.github.tcpserver.core.proxy;

/**
 * A PROXY protocol header that cannot be accepted; the connection carrying it must be closed
 * (proxy-protocol.txt section 2: a receiver must not guess past an invalid header).
 */
public final class ProxyProtocolException extends Exception {

	private static final long serialVersionUID = 1L;

	private final ProxyHeaderRefusal reason;

	public ProxyProtocolException(ProxyHeaderRefusal reason, String message) {
		super(message);
		this.reason = reason;
	}

	/** @return why the header was refused, for the counters */
	public ProxyHeaderRefusal reason() {
		return this.reason;
	}

}
