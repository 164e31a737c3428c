package io.github.tcpserver.actuate;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.Listener;
import io.github.tcpserver.core.ProxyProtocolStats;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.TlsStats;
import io.github.tcpserver.core.proxy.ProxyHeader;
import io.github.tcpserver.core.proxy.ProxyHeaderRefusal;
import io.github.tcpserver.core.proxy.ProxySslInfo;
import io.github.tcpserver.protocol.http.RequestMemoryBudget;

/**
 * The {@code tcpserver} Actuator endpoint: the server's state, its listeners and totals, and a
 * bounded, sorted page of its live connections; one connection by id; closing one by id.
 */
@Endpoint(id = "tcpserver")
public class TcpServerEndpoint {

	/** Connections listed when the request names no limit. */
	public static final int DEFAULT_LIMIT = 100;

	/** Most connections one request lists, so that a server with 50,000 open stays cheap to read. */
	public static final int MAX_LIMIT = 1000;

	private final SelectorServer server;

	private final @Nullable RequestMemoryBudget httpRequestMemory;

	public TcpServerEndpoint(SelectorServer server) {
		this(server, null);
	}

	/**
	 * @param server the server to describe
	 * @param httpRequestMemory the budget of HTTP request bodies being received, or {@code null}
	 */
	public TcpServerEndpoint(SelectorServer server, @Nullable RequestMemoryBudget httpRequestMemory) {
		this.server = server;
		this.httpRequestMemory = httpRequestMemory;
	}

	/**
	 * @param limit connections to list, 1 to {@value #MAX_LIMIT}; {@value #DEFAULT_LIMIT} when absent
	 * @param sort {@code id} (oldest first, the default), {@code queued} (most queued output first)
	 * or {@code idle} (longest idle first)
	 * @return the server's description
	 */
	@ReadOperation
	public ServerDescriptor server(@Nullable Integer limit, @Nullable String sort) {
		int max = Math.max(1, Math.min((limit != null) ? limit : DEFAULT_LIMIT, MAX_LIMIT));
		Sort order = Sort.of(sort);
		long now = System.currentTimeMillis();
		List<ListenerDescriptor> listeners = new ArrayList<>();
		long accepted = 0;
		long closed = 0;
		long rejected = 0;
		long received = 0;
		long sent = 0;
		long queued = 0;
		for (Listener listener : this.server.listeners()) {
			ListenerDescriptor descriptor = ListenerDescriptor.of(this.server, listener);
			listeners.add(descriptor);
			accepted += descriptor.acceptedConnections();
			closed += descriptor.closedConnections();
			rejected += descriptor.rejectedConnections();
			received += descriptor.bytesReceived();
			sent += descriptor.bytesSent();
			queued += descriptor.queuedBytes();
		}
		Totals totals = new Totals(this.server.activeConnections(), accepted, closed, rejected, received, sent, queued);
		RequestMemoryBudget budget = this.httpRequestMemory;
		RequestMemory requestMemory = (budget != null)
				? new RequestMemory(budget.used(), budget.max(), budget.refusals()) : null;
		return new ServerDescriptor(this.server.state().name(), this.server.ioThreads(), this.server.deadLoops(),
				this.server.blockedLoopEvents(), listeners, totals, requestMemory, page(max, order, now));
	}

	/**
	 * @param id a connection id
	 * @return that connection, or {@code null} (404) when it is not open
	 */
	@ReadOperation
	public @Nullable ConnectionDescriptor connection(@Selector long id) {
		return this.server.connection(id)
			.map((connection) -> ConnectionDescriptor.of(connection, System.currentTimeMillis()))
			.orElse(null);
	}

	/**
	 * Closes a connection at once; its queued output is discarded.
	 * @param id a connection id
	 * @return the connection as it was when closed, or 404 when it is not open
	 */
	@DeleteOperation
	public WebEndpointResponse<ConnectionDescriptor> close(@Selector long id) {
		Connection connection = this.server.connection(id).orElse(null);
		if (connection == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		ConnectionDescriptor descriptor = ConnectionDescriptor.of(connection, System.currentTimeMillis());
		connection.close();
		return new WebEndpointResponse<>(descriptor);
	}

	private ConnectionPage page(int limit, Sort order, long now) {
		// Top-k with a bounded heap: O(n log k) and k entries of memory, where sorting a copy of
		// tens of thousands of connections would allocate and compare them all on every request.
		// Queue sizes and activity change while we sort: each connection's sort keys are read
		// once into a snapshot, or the comparator would break its contract ("Comparison method
		// violates its general contract") and the heap could keep the wrong entries.
		Comparator<Snapshot> reversed = order.comparator.reversed();
		PriorityQueue<Snapshot> top = new PriorityQueue<>(limit + 1, reversed);
		int total = 0;
		for (Connection connection : this.server.connections()) {
			total++;
			top.add(new Snapshot(connection, connection.id(), connection.pendingOutboundBytes(),
					(order == Sort.IDLE) ? connection.lastActivity().toEpochMilli() : 0));
			if (top.size() > limit) {
				top.poll();
			}
		}
		List<Snapshot> selected = new ArrayList<>(top);
		selected.sort(order.comparator);
		List<ConnectionDescriptor> items = new ArrayList<>(selected.size());
		for (Snapshot snapshot : selected) {
			items.add(ConnectionDescriptor.of(snapshot.connection(), now));
		}
		return new ConnectionPage(total, order.name().toLowerCase(Locale.ROOT), limit, items);
	}

	/** A connection with its sort keys read once. */
	private record Snapshot(Connection connection, long id, long queued, long lastActivity) {
	}

	private enum Sort {

		ID(Comparator.comparingLong(Snapshot::id)),

		QUEUED(Comparator.comparingLong(Snapshot::queued).reversed().thenComparingLong(Snapshot::id)),

		IDLE(Comparator.comparingLong(Snapshot::lastActivity).thenComparingLong(Snapshot::id));

		private final Comparator<Snapshot> comparator;

		Sort(Comparator<Snapshot> comparator) {
			this.comparator = comparator;
		}

		static Sort of(@Nullable String name) {
			if (name == null || name.isBlank()) {
				return ID;
			}
			try {
				return valueOf(name.trim().toUpperCase(Locale.ROOT));
			}
			catch (IllegalArgumentException ex) {
				// Reported as 400 Bad Request rather than a server error.
				throw new InvalidEndpointRequestException("sort must be one of id, queued, idle but was '" + name + "'",
						"Invalid sort");
			}
		}

	}

	private static String host(InetSocketAddress address) {
		return (address.getAddress() != null) ? address.getAddress().getHostAddress() : address.getHostString();
	}

	/**
	 * The whole server.
	 *
	 * @param state NEW, RUNNING, STOPPING or STOPPED
	 * @param ioThreads number of I/O loops
	 * @param deadLoops I/O loops that are not running although the server is (empty when healthy)
	 * @param blockedLoopEvents times an I/O loop was held by one handler call past the blocked-loop
	 * warning
	 * @param listeners every bound listener
	 * @param totals sums over the listeners
	 * @param connections a page of the open connections
	 */
	public record ServerDescriptor(String state, int ioThreads, List<String> deadLoops, long blockedLoopEvents,
			List<ListenerDescriptor> listeners, Totals totals, @Nullable RequestMemory httpRequestMemory,
			ConnectionPage connections) implements OperationResponseBody {
	}

	/**
	 * Memory held by HTTP request bodies still arriving, all listeners sharing the auto-configured
	 * limits together.
	 * @param usedBytes bytes held now
	 * @param maxBytes the bound ({@code tcp.server.http.max-request-memory})
	 * @param refused bodies answered 503 because the bound was reached
	 */
	public record RequestMemory(long usedBytes, long maxBytes, long refused) {
	}

	/**
	 * One listener.
	 *
	 * @param name the listener (handler bean) name
	 * @param handler the handler's class, which is the protocol spoken
	 * @param address the bound address
	 * @param port the bound port
	 * @param bound whether the listening socket is open
	 * @param activeConnections connections open now
	 * @param acceptedConnections connections accepted so far
	 * @param closedConnections connections closed so far
	 * @param rejectedConnections connections refused at the connection limit
	 * @param errors connections closed because the handler threw
	 * @param protocolErrors protocol errors the handler reported
	 * @param outputOverflows connections closed because their queued output passed the cap
	 * @param timeouts connections closed by a read-idle or write-idle timeout
	 * @param bytesReceived bytes received, closed and open connections together
	 * @param bytesSent bytes sent, closed and open connections together
	 * @param queuedBytes output queued on open connections, not yet taken by their sockets
	 * @param tls the listener's TLS (bundle, client auth, SNI) and handshake counts, or
	 * {@code null} when it is plain TCP; its byte counts are then wire (encrypted) bytes
	 * @param proxyProtocol the listener's PROXY protocol and header counts, or {@code null} without
	 */
	public record ListenerDescriptor(String name, String handler, String address, int port, boolean bound,
			int activeConnections, long acceptedConnections, long closedConnections, long rejectedConnections,
			long errors, long protocolErrors, long outputOverflows, long timeouts, long bytesReceived, long bytesSent,
			long queuedBytes, @Nullable ListenerTls tls, @Nullable ListenerProxyProtocol proxyProtocol) {

		static ListenerDescriptor of(SelectorServer server, Listener listener) {
			return new ListenerDescriptor(listener.name(), listener.handler().getClass().getName(),
					host(listener.boundAddress()), listener.port(), listener.isBound(), listener.activeConnections(),
					listener.acceptedConnections(), listener.closedConnections(), listener.rejectedConnections(),
					listener.errors(), listener.protocolErrors(), listener.outputOverflows(), listener.timeouts(),
					server.bytesReceived(listener), server.bytesSent(listener), server.pendingOutboundBytes(listener),
					ListenerTls.of(listener), ListenerProxyProtocol.of(listener));
		}

	}

	/**
	 * The PROXY protocol of a listener.
	 *
	 * @param description the mode and the trusted proxies
	 * @param headersAccepted headers accepted by version ({@code v1}, {@code v2})
	 * @param localHeaders v2 LOCAL headers (the balancer's health checks), counted in {@code v2} too
	 * @param headersRefused connections closed before their header completed, by reason (malformed,
	 * too-long, unsupported, checksum, truncated, timeout, untrusted); each reason is logged at DEBUG by
	 * {@code io.github.tcpserver.core.ProxyProtocolTransport}
	 */
	public record ListenerProxyProtocol(String description, Map<String, Long> headersAccepted, long localHeaders,
			Map<String, Long> headersRefused) {

		static @Nullable ListenerProxyProtocol of(Listener listener) {
			ProxyProtocolStats stats = listener.proxyProtocolStats();
			if (stats == null) {
				return null;
			}
			Map<String, Long> refused = new LinkedHashMap<>();
			for (ProxyHeaderRefusal reason : ProxyHeaderRefusal.values()) {
				refused.put(reason.tag(), stats.headersRefused(reason));
			}
			return new ListenerProxyProtocol(listener.spec().proxyProtocol().description(),
					Map.of("v1", stats.headersAccepted(1), "v2", stats.headersAccepted(2)), stats.localHeaders(), refused);
		}

	}

	/**
	 * TLS of a listener.
	 *
	 * @param description the bundle, client authentication and SNI mappings
	 * @param handshakesCompleted handshakes completed
	 * @param handshakesFailed handshakes failed (non-TLS clients, refused certificates, timeouts...);
	 * the reason of each is logged at DEBUG by {@code io.github.tcpserver.core.TlsTransport}
	 * @param handshakesTimedOut handshakes abandoned at {@code tcp.server.ssl.handshake-timeout}
	 * @param meanHandshakeMillis mean time from accept to the end of a completed handshake
	 */
	public record ListenerTls(String description, long handshakesCompleted, long handshakesFailed,
			long handshakesTimedOut, double meanHandshakeMillis) {

		static @Nullable ListenerTls of(Listener listener) {
			TlsStats stats = listener.tlsStats();
			if (stats == null) {
				return null;
			}
			long completed = stats.handshakesCompleted();
			return new ListenerTls(listener.spec().tls().description(), completed, stats.handshakesFailed(),
					stats.handshakesTimedOut(), (completed == 0) ? 0 : stats.handshakeNanos() / 1e6 / completed);
		}

	}

	/**
	 * Sums over all listeners.
	 *
	 * @param activeConnections connections open now
	 * @param acceptedConnections connections accepted so far
	 * @param closedConnections connections closed so far
	 * @param rejectedConnections connections refused at the connection limit
	 * @param bytesReceived bytes received
	 * @param bytesSent bytes sent
	 * @param queuedBytes output queued on open connections
	 */
	public record Totals(int activeConnections, long acceptedConnections, long closedConnections,
			long rejectedConnections, long bytesReceived, long bytesSent, long queuedBytes) {
	}

	/**
	 * A bounded page of the open connections.
	 *
	 * @param total connections open when the page was taken (the page may list fewer)
	 * @param sort the order of {@code items}
	 * @param limit the most items a page lists
	 * @param items the connections
	 */
	public record ConnectionPage(int total, String sort, int limit, List<ConnectionDescriptor> items) {
	}

	/**
	 * One open connection.
	 *
	 * @param id the connection id, for {@code /actuator/tcpserver/{id}}
	 * @param listener the listener that accepted it
	 * @param remoteAddress the client, {@code host:port}: the socket's peer, or the client a PROXY
	 * protocol header named
	 * @param proxyAddress the balancer that sent the PROXY protocol header, {@code host:port}, else
	 * {@code null}
	 * @param proxy what the PROXY protocol header said besides the client's address, else {@code null}
	 * @param openedAt when it was accepted (ISO-8601)
	 * @param idleMillis milliseconds since bytes were last read or written
	 * @param bytesReceived bytes read from the peer (on TLS: wire bytes, see {@code tls} for plaintext)
	 * @param bytesSent bytes the socket took for the peer (on TLS: wire bytes)
	 * @param queuedBytes output queued and not yet taken by the socket
	 * @param queuedMessages buffers queued and not yet fully written
	 * @param tls the TLS session once its handshake completed, else {@code null}
	 * @param protocol what the connection speaks when not its listener's protocol (such as
	 * {@code WebSocket /chat} on an HTTP listener), else {@code null}
	 */
	public record ConnectionDescriptor(long id, String listener, String remoteAddress, @Nullable String proxyAddress,
			String openedAt, long idleMillis, long bytesReceived, long bytesSent, long queuedBytes, int queuedMessages,
			@Nullable ConnectionTls tls, @Nullable ConnectionProxy proxy, @Nullable String protocol)
			implements OperationResponseBody {

		static ConnectionDescriptor of(Connection connection, long now) {
			InetSocketAddress remote = connection.remoteAddress();
			Instant lastActivity = connection.lastActivity();
			InetSocketAddress proxy = connection.proxyAddress();
			return new ConnectionDescriptor(connection.id(), connection.listenerName(),
					host(remote) + ":" + remote.getPort(), (proxy != null) ? host(proxy) + ":" + proxy.getPort() : null,
					connection.openedAt().toString(), Math.max(0, now - lastActivity.toEpochMilli()),
					connection.bytesReceived(), connection.bytesSent(), connection.pendingOutboundBytes(),
					connection.pendingOutboundMessages(), ConnectionTls.of(connection),
					ConnectionProxy.of(connection.proxyHeader()), connection.protocol());
		}

	}

	/**
	 * The PROXY protocol header of a connection.
	 *
	 * @param version 1 or 2
	 * @param local whether it was a LOCAL command (a health check of the balancer)
	 * @param authority the host name the client asked the balancer for (v2 TLV), or {@code null}
	 * @param uniqueId the balancer's unique ID of the connection (v2 TLV), or {@code null}
	 * @param alpn the application protocol the client negotiated with the balancer (v2 TLV), or {@code null}
	 * @param clientTls the TLS version the client spoke to the balancer (v2 SSL TLV), or {@code null}
	 */
	public record ConnectionProxy(int version, boolean local, @Nullable String authority, @Nullable String uniqueId,
			@Nullable String alpn, @Nullable String clientTls) {

		static @Nullable ConnectionProxy of(@Nullable ProxyHeader header) {
			if (header == null) {
				return null;
			}
			ProxySslInfo ssl = header.ssl();
			return new ConnectionProxy(header.version(), header.local(), header.authority(), header.uniqueIdText(),
					header.alpn(), (ssl != null && ssl.isTls()) ? ssl.version() : null);
		}

	}

	/**
	 * The TLS session of a connection.
	 *
	 * @param protocol {@code TLSv1.3} or {@code TLSv1.2}
	 * @param cipherSuite the negotiated cipher suite
	 * @param peerSubject the subject of the client's certificate, or {@code null} without one
	 * @param plaintextBytesReceived decrypted application bytes the handler received (the
	 * descriptor's {@code bytesReceived} counts wire bytes: records, MACs and handshake included)
	 * @param plaintextBytesSent application bytes the handler wrote that have been encrypted
	 */
	public record ConnectionTls(String protocol, String cipherSuite, @Nullable String peerSubject,
			long plaintextBytesReceived, long plaintextBytesSent) {

		static @Nullable ConnectionTls of(Connection connection) {
			SSLSession session = connection.sslSession();
			if (session == null) {
				return null;
			}
			String peer;
			try {
				peer = session.getPeerPrincipal().getName();
			}
			catch (SSLPeerUnverifiedException ex) {
				peer = null; // no client authentication
			}
			return new ConnectionTls(session.getProtocol(), session.getCipherSuite(), peer,
					connection.applicationBytesReceived(), connection.applicationBytesSent());
		}

	}

}
