package io.github.tcpserver.core;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What one listener is: a name (the handler bean's name in a Spring application), the address
 * and port to bind (port 0 picks a free one), the handler of its connections, and whether they
 * speak TLS, and whether a balancer's PROXY protocol header precedes them.
 *
 * @param name unique listener name, used in logs, thread-safe lookups and metrics tags
 * @param address the local address to bind, or {@code null} for every interface
 * @param port the port to bind, 0 to 65535
 * @param handler receives the events of every connection of this listener
 * @param tls TLS of every connection of this listener, or {@code null} for plain TCP
 * @param proxyProtocol the PROXY protocol header every connection starts with (before TLS), or
 * {@code null} when the socket's peer is the client
 */
public record ListenerSpec(String name, InetAddress address, int port, ConnectionHandler handler, TlsSettings tls,
		ProxyProtocolSettings proxyProtocol) {

	/**
	 * A listener without PROXY protocol.
	 * @param tls TLS settings, or {@code null} for plain TCP
	 */
	public ListenerSpec(String name, InetAddress address, int port, ConnectionHandler handler, TlsSettings tls) {
		this(name, address, port, handler, tls, null);
	}

	/** A plain TCP listener. */
	public ListenerSpec(String name, InetAddress address, int port, ConnectionHandler handler) {
		this(name, address, port, handler, null, null);
	}

	/**
	 * @param tls TLS settings, or {@code null} for plain TCP
	 * @return this listener with TLS
	 */
	public ListenerSpec withTls(TlsSettings tls) {
		return new ListenerSpec(this.name, this.address, this.port, this.handler, tls, this.proxyProtocol);
	}

	/**
	 * @param proxyProtocol PROXY protocol settings, or {@code null} for none
	 * @return this listener behind a balancer that sends the PROXY protocol
	 */
	public ListenerSpec withProxyProtocol(ProxyProtocolSettings proxyProtocol) {
		return new ListenerSpec(this.name, this.address, this.port, this.handler, this.tls, proxyProtocol);
	}

	public ListenerSpec {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(handler, "handler");
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("port of listener '" + name + "' must be between 0 and 65535 but was " + port);
		}
	}

}
