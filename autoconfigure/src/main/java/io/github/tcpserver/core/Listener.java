package io.github.tcpserver.core;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bound listener: its spec, the address it actually listens on and its counters. Counters are
 * updated when connections open and close, never per read or write, so reading them costs the I/O
 * loops nothing.
 */
public final class Listener {

	private final ListenerSpec spec;

	private final ServerSocketChannel channel;

	private final InetSocketAddress boundAddress;

	final AtomicInteger active = new AtomicInteger();

	final LongAdder accepted = new LongAdder();

	final LongAdder closed = new LongAdder();

	final LongAdder rejected = new LongAdder();

	final LongAdder errors = new LongAdder();

	final LongAdder overflowed = new LongAdder();

	final LongAdder timedOut = new LongAdder();

	final LongAdder protocolErrors = new LongAdder();

	/** Handshake counters when the listener runs TLS, else {@code null}. */
	private final TlsStats tlsStats;

	/** PROXY protocol header counters when the listener expects the header, else {@code null}. */
	private final ProxyProtocolStats proxyStats;

	final LongAdder closedBytesReceived = new LongAdder();

	final LongAdder closedBytesSent = new LongAdder();

	/**
	 * The largest byte totals reported so far. The sum over open and closed connections can read
	 * low for an instant while a connection closes (it leaves the open set before its bytes join
	 * the closed total); reporting the larger of that sum and the last report keeps the meters
	 * monotonic, since Prometheus takes any decrease of a counter for a reset and shows a spike.
	 */
	final AtomicLong reportedBytesReceived = new AtomicLong();

	final AtomicLong reportedBytesSent = new AtomicLong();

	Listener(ListenerSpec spec, ServerSocketChannel channel, InetSocketAddress boundAddress) {
		this.spec = spec;
		this.channel = channel;
		this.boundAddress = boundAddress;
		this.tlsStats = (spec.tls() != null) ? new TlsStats() : null;
		this.proxyStats = (spec.proxyProtocol() != null) ? new ProxyProtocolStats() : null;
	}

	/**
	 * The byte layers of a new connection: the PROXY protocol header first when the listener has
	 * one, then TLS when it has TLS settings, else plain.
	 */
	Transport newTransport(TransportContext connection) {
		if (this.proxyStats != null) {
			return new ProxyProtocolTransport(connection, this.spec.proxyProtocol(), this.proxyStats,
					this::newInnerTransport);
		}
		return newInnerTransport(connection);
	}

	private Transport newInnerTransport(TransportContext connection) {
		return (this.tlsStats != null) ? new TlsTransport(connection, this.spec.tls(), this.tlsStats)
				: new PlainTransport(connection);
	}

	/** @return whether connections of this listener start with a PROXY protocol header */
	public boolean isProxyProtocol() {
		return this.proxyStats != null;
	}

	/** @return the PROXY protocol header counters of this listener, or {@code null} without PROXY protocol */
	public ProxyProtocolStats proxyProtocolStats() {
		return this.proxyStats;
	}

	/** @return whether connections of this listener speak TLS */
	public boolean isTls() {
		return this.tlsStats != null;
	}

	/** @return the TLS handshake counters of this listener, or {@code null} when it is plain */
	public TlsStats tlsStats() {
		return this.tlsStats;
	}

	ServerSocketChannel channel() {
		return this.channel;
	}

	public String name() {
		return this.spec.name();
	}

	public ConnectionHandler handler() {
		return this.spec.handler();
	}

	public ListenerSpec spec() {
		return this.spec;
	}

	/** @return the address and port the listener is bound to (the real port when 0 was asked) */
	public InetSocketAddress boundAddress() {
		return this.boundAddress;
	}

	public int port() {
		return this.boundAddress.getPort();
	}

	/** @return connections of this listener open now */
	public int activeConnections() {
		return this.active.get();
	}

	/** @return connections accepted so far (rejected ones not included) */
	public long acceptedConnections() {
		return this.accepted.sum();
	}

	/** @return connections closed so far, for any reason */
	public long closedConnections() {
		return this.closed.sum();
	}

	/** @return connections refused because the server was at its connection limit */
	public long rejectedConnections() {
		return this.rejected.sum();
	}

	/** @return connections closed because their handler threw or their socket failed */
	public long errors() {
		return this.errors.sum();
	}

	/** @return connections closed because their outbound queue passed the hard cap */
	public long outputOverflows() {
		return this.overflowed.sum();
	}

	/** @return connections closed by a read-idle or write-idle timeout */
	public long timeouts() {
		return this.timedOut.sum();
	}

	/**
	 * @return protocol errors reported by this listener's handler through
	 * {@link Connection#reportProtocolError()} (malformed input, a frame over its limit)
	 */
	public long protocolErrors() {
		return this.protocolErrors.sum();
	}

	/** @return {@code true} while the listening socket is open (from bind until the server stops) */
	public boolean isBound() {
		return this.channel.isOpen();
	}

	/** @return bytes received by connections that are already closed */
	long closedBytesReceived() {
		return this.closedBytesReceived.sum();
	}

	/** @return bytes sent by connections that are already closed */
	long closedBytesSent() {
		return this.closedBytesSent.sum();
	}

	@Override
	public String toString() {
		return "'" + name() + "' on " + this.boundAddress + " (" + handler().getClass().getSimpleName()
				+ ((this.spec.proxyProtocol() != null) ? ", " + this.spec.proxyProtocol().description() : "")
				+ ((this.spec.tls() != null) ? ", TLS " + this.spec.tls().description() : "") + ")";
	}

}
