package io.github.tcpserver.autoconfigure;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import io.github.tcpserver.blocking.OffloadingHandler;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.core.ProxyProtocolSettings;
import io.github.tcpserver.core.TlsSettings;
import io.github.tcpserver.core.proxy.CidrRange;
import io.github.tcpserver.core.proxy.ProxyProtocolMode;

/**
 * Configuration of the embedded TCP server ({@code tcp.server.*}). Every setter rejects a value
 * out of range, so a bad value fails start-up with the property's name and value.
 */
@ConfigurationProperties("tcp.server")
public class TcpServerProperties {

	/** Whether to run the TCP server. */
	private boolean enabled = true;

	/** Port of every @SocketHandler that names none; 0 picks a free port. */
	private int port = 9000;

	/** Local address to bind; every interface when unset. */
	private InetAddress address;

	/** Maximum queue of connections waiting to be accepted (listen backlog). */
	private int backlog = ServerConfig.DEFAULT_BACKLOG;

	/** Number of I/O threads (selector loops); defaults to half the available processors, at least 1. */
	private int ioThreads = ServerConfig.defaultIoThreads();

	/** Size of each I/O thread's read buffer, shared by all its connections. */
	private DataSize readBufferSize = DataSize.ofBytes(ServerConfig.DEFAULT_READ_BUFFER_SIZE);

	/** Maximum number of open connections over all listeners; further connections are closed at once. */
	private int maxConnections = ServerConfig.DEFAULT_MAX_CONNECTIONS;

	/** Whether to disable Nagle's algorithm (TCP_NODELAY) on accepted connections. */
	private boolean tcpNoDelay = true;

	/** Whether to enable TCP keep-alive probes (SO_KEEPALIVE) on accepted connections. */
	private boolean soKeepalive = false;

	/** Whether to set SO_REUSEADDR on listening sockets, so a restart can rebind a port in TIME_WAIT. */
	private boolean reuseAddress = true;

	/** Socket receive buffer size (SO_RCVBUF); the operating system's default when unset. */
	private DataSize receiveBufferSize;

	/** Socket send buffer size (SO_SNDBUF); the operating system's default when unset. */
	private DataSize sendBufferSize;

	/**
	 * Queued output of a connection above which the server stops reading from it and the
	 * connection is not writable (ConnectionHandler.onWritabilityChanged).
	 */
	private DataSize writeBufferHighWaterMark = DataSize.ofBytes(ServerConfig.DEFAULT_WRITE_HIGH_WATER_MARK);

	/** Queued output of a connection below which reading from it resumes and it is writable again. */
	private DataSize writeBufferLowWaterMark = DataSize.ofBytes(ServerConfig.DEFAULT_WRITE_LOW_WATER_MARK);

	/** Queued output of a connection beyond which it is closed as not keeping up. */
	private DataSize maxQueuedOutput = DataSize.ofBytes(ServerConfig.DEFAULT_MAX_QUEUED_OUTPUT);

	/** Reads from one connection per readiness event before other connections get a turn. */
	private int maxReadsPerEvent = ServerConfig.DEFAULT_MAX_READS_PER_EVENT;

	/** Close a connection when nothing has been received from it for this long; off when unset or 0. */
	private Duration readIdleTimeout;

	/** Close a connection whose pending output has made no progress for this long (the peer reads nothing); 0 for never. */
	private Duration writeIdleTimeout = ServerConfig.DEFAULT_WRITE_IDLE_TIMEOUT;

	/** After a graceful close sent FIN, how long to wait for the peer to close before closing anyway. */
	private Duration lingerTimeout = ServerConfig.DEFAULT_LINGER_TIMEOUT;

	/** Warn (with the handler's name and the thread's stack) when one event holds an I/O thread this long; 0 disables. */
	private Duration blockedThreadWarning = ServerConfig.DEFAULT_BLOCKED_LOOP_WARNING;

	/** Type of shutdown: graceful drains queued output within spring.lifecycle.timeout-per-shutdown-phase. */
	private Shutdown shutdown = Shutdown.GRACEFUL;

	/** Handlers that run off the I/O threads: blocking @SocketHandlers and stream handlers. */
	private final Blocking blocking = new Blocking();

	/** Connection events published to the application context. */
	private final Events events = new Events();

	/** TLS of the listeners, through Spring Boot SSL bundles. */
	private final Ssl ssl = new Ssl();

	/** PROXY protocol of the listeners behind a load balancer. */
	private final ProxyProtocol proxyProtocol = new ProxyProtocol();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("tcp.server.port must be between 0 and 65535 but was " + port);
		}
		this.port = port;
	}

	public InetAddress getAddress() {
		return this.address;
	}

	public void setAddress(InetAddress address) {
		this.address = address;
	}

	public int getBacklog() {
		return this.backlog;
	}

	public void setBacklog(int backlog) {
		requirePositive("tcp.server.backlog", backlog);
		this.backlog = backlog;
	}

	public int getIoThreads() {
		return this.ioThreads;
	}

	public void setIoThreads(int ioThreads) {
		requirePositive("tcp.server.io-threads", ioThreads);
		this.ioThreads = ioThreads;
	}

	public DataSize getReadBufferSize() {
		return this.readBufferSize;
	}

	public void setReadBufferSize(DataSize readBufferSize) {
		if (readBufferSize.toBytes() < 64 || readBufferSize.toBytes() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(
					"tcp.server.read-buffer-size must be between 64B and 2GB but was " + readBufferSize);
		}
		this.readBufferSize = readBufferSize;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		requirePositive("tcp.server.max-connections", maxConnections);
		this.maxConnections = maxConnections;
	}

	public boolean isTcpNoDelay() {
		return this.tcpNoDelay;
	}

	public void setTcpNoDelay(boolean tcpNoDelay) {
		this.tcpNoDelay = tcpNoDelay;
	}

	public boolean isSoKeepalive() {
		return this.soKeepalive;
	}

	public void setSoKeepalive(boolean soKeepalive) {
		this.soKeepalive = soKeepalive;
	}

	public boolean isReuseAddress() {
		return this.reuseAddress;
	}

	public void setReuseAddress(boolean reuseAddress) {
		this.reuseAddress = reuseAddress;
	}

	public DataSize getReceiveBufferSize() {
		return this.receiveBufferSize;
	}

	public void setReceiveBufferSize(DataSize receiveBufferSize) {
		requireIntSize("tcp.server.receive-buffer-size", receiveBufferSize, 1);
		this.receiveBufferSize = receiveBufferSize;
	}

	public DataSize getSendBufferSize() {
		return this.sendBufferSize;
	}

	public void setSendBufferSize(DataSize sendBufferSize) {
		requireIntSize("tcp.server.send-buffer-size", sendBufferSize, 1);
		this.sendBufferSize = sendBufferSize;
	}

	public DataSize getWriteBufferHighWaterMark() {
		return this.writeBufferHighWaterMark;
	}

	public void setWriteBufferHighWaterMark(DataSize writeBufferHighWaterMark) {
		requireIntSize("tcp.server.write-buffer-high-water-mark", writeBufferHighWaterMark, 1);
		this.writeBufferHighWaterMark = writeBufferHighWaterMark;
	}

	public DataSize getWriteBufferLowWaterMark() {
		return this.writeBufferLowWaterMark;
	}

	public void setWriteBufferLowWaterMark(DataSize writeBufferLowWaterMark) {
		requireIntSize("tcp.server.write-buffer-low-water-mark", writeBufferLowWaterMark, 0);
		this.writeBufferLowWaterMark = writeBufferLowWaterMark;
	}

	public DataSize getMaxQueuedOutput() {
		return this.maxQueuedOutput;
	}

	public void setMaxQueuedOutput(DataSize maxQueuedOutput) {
		if (maxQueuedOutput.toBytes() < 1) {
			throw new IllegalArgumentException("tcp.server.max-queued-output must be positive but was " + maxQueuedOutput);
		}
		this.maxQueuedOutput = maxQueuedOutput;
	}

	public int getMaxReadsPerEvent() {
		return this.maxReadsPerEvent;
	}

	public void setMaxReadsPerEvent(int maxReadsPerEvent) {
		requirePositive("tcp.server.max-reads-per-event", maxReadsPerEvent);
		this.maxReadsPerEvent = maxReadsPerEvent;
	}

	public Duration getReadIdleTimeout() {
		return this.readIdleTimeout;
	}

	public void setReadIdleTimeout(Duration readIdleTimeout) {
		requireNotNegative("tcp.server.read-idle-timeout", readIdleTimeout);
		this.readIdleTimeout = readIdleTimeout;
	}

	public Duration getWriteIdleTimeout() {
		return this.writeIdleTimeout;
	}

	public void setWriteIdleTimeout(Duration writeIdleTimeout) {
		requireNotNegative("tcp.server.write-idle-timeout", writeIdleTimeout);
		this.writeIdleTimeout = writeIdleTimeout;
	}

	public Duration getLingerTimeout() {
		return this.lingerTimeout;
	}

	public void setLingerTimeout(Duration lingerTimeout) {
		requireNotNegative("tcp.server.linger-timeout", lingerTimeout);
		this.lingerTimeout = lingerTimeout;
	}

	public Duration getBlockedThreadWarning() {
		return this.blockedThreadWarning;
	}

	public void setBlockedThreadWarning(Duration blockedThreadWarning) {
		requireNotNegative("tcp.server.blocked-thread-warning", blockedThreadWarning);
		this.blockedThreadWarning = blockedThreadWarning;
	}

	private static void requireNotNegative(String name, Duration value) {
		if (value != null && value.isNegative()) {
			throw new IllegalArgumentException(name + " must not be negative but was " + value);
		}
	}

	public Blocking getBlocking() {
		return this.blocking;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public void setShutdown(Shutdown shutdown) {
		this.shutdown = shutdown;
	}

	public Events getEvents() {
		return this.events;
	}

	public Ssl getSsl() {
		return this.ssl;
	}

	public ProxyProtocol getProxyProtocol() {
		return this.proxyProtocol;
	}

	private static void requirePositive(String name, int value) {
		if (value < 1) {
			throw new IllegalArgumentException(name + " must be at least 1 but was " + value);
		}
	}

	private static void requireIntSize(String name, DataSize size, long min) {
		if (size != null && (size.toBytes() < min || size.toBytes() > Integer.MAX_VALUE)) {
			throw new IllegalArgumentException(name + " must be between " + min + "B and 2GB but was " + size);
		}
	}

	/** Settings of handlers that run off the I/O threads ({@code tcp.server.blocking.*}). */
	public static class Blocking {

		/**
		 * Input of one connection received and not yet handled by its blocking handler, above
		 * which reading from that connection pauses until the handler has caught up to half of it.
		 */
		private DataSize maxPendingInput = DataSize.ofBytes(OffloadingHandler.DEFAULT_MAX_PENDING_BYTES);

		public DataSize getMaxPendingInput() {
			return this.maxPendingInput;
		}

		public void setMaxPendingInput(DataSize maxPendingInput) {
			requireIntSize("tcp.server.blocking.max-pending-input", maxPendingInput, 1);
			this.maxPendingInput = maxPendingInput;
		}

	}

	/** Connection events ({@code tcp.server.events.*}). */
	public static class Events {

		/**
		 * Whether to publish TcpConnectionOpenedEvent and TcpConnectionClosedEvent for every
		 * connection; off by default, since listeners run on the I/O threads and cost throughput.
		 */
		private boolean enabled = false;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * The PROXY protocol header (HAProxy's proxy-protocol.txt) that a load balancer sends before
	 * each connection's own bytes ({@code tcp.server.proxy-protocol.*}), so that the server sees
	 * the client's address rather than the balancer's. Off by default; a listener's
	 * {@code @SocketHandler(proxyProtocol)} overrides the mode.
	 */
	public static class ProxyProtocol {

		/** Which header every connection must start with: off, v1, v2 or any (v1 or v2, told apart by its first byte). */
		private ProxyProtocolMode mode = ProxyProtocolMode.OFF;

		/** Addresses (CIDR, such as 10.0.0.0/8) allowed to connect and send the header; empty allows any source. */
		private List<String> trustedProxies = new ArrayList<>();

		/** Close a connection whose header has not fully arrived within this time; at least 3s. */
		private Duration headerTimeout = ProxyProtocolSettings.DEFAULT_HEADER_TIMEOUT;

		/** Longest version 2 header (addresses and TLVs) accepted; version 1 is bounded at 107 bytes. */
		private DataSize maxHeaderLength = DataSize.ofBytes(ProxyProtocolSettings.DEFAULT_MAX_HEADER_LENGTH);

		public ProxyProtocolMode getMode() {
			return this.mode;
		}

		public void setMode(ProxyProtocolMode mode) {
			this.mode = (mode != null) ? mode : ProxyProtocolMode.OFF;
		}

		public List<String> getTrustedProxies() {
			return this.trustedProxies;
		}

		public void setTrustedProxies(List<String> trustedProxies) {
			for (String range : trustedProxies) {
				try {
					CidrRange.parse(range);
				}
				catch (IllegalArgumentException ex) {
					throw new IllegalArgumentException("tcp.server.proxy-protocol.trusted-proxies: " + ex.getMessage());
				}
			}
			this.trustedProxies = new ArrayList<>(trustedProxies);
		}

		public Duration getHeaderTimeout() {
			return this.headerTimeout;
		}

		public void setHeaderTimeout(Duration headerTimeout) {
			if (headerTimeout == null || headerTimeout.toMillis() < 3000) {
				throw new IllegalArgumentException("tcp.server.proxy-protocol.header-timeout must be at least 3s"
						+ " (proxy-protocol.txt section 2) but was " + headerTimeout);
			}
			this.headerTimeout = headerTimeout;
		}

		public DataSize getMaxHeaderLength() {
			return this.maxHeaderLength;
		}

		public void setMaxHeaderLength(DataSize maxHeaderLength) {
			if (maxHeaderLength == null || maxHeaderLength.toBytes() < 16 || maxHeaderLength.toBytes() > 65551) {
				throw new IllegalArgumentException(
						"tcp.server.proxy-protocol.max-header-length must be between 16B and 65551B but was "
								+ maxHeaderLength);
			}
			this.maxHeaderLength = maxHeaderLength;
		}

		/**
		 * @param mode the listener's mode
		 * @return the core's settings, or {@code null} for {@link ProxyProtocolMode#OFF}
		 */
		public ProxyProtocolSettings toSettings(ProxyProtocolMode mode) {
			if (mode == ProxyProtocolMode.OFF) {
				return null;
			}
			return new ProxyProtocolSettings(mode, this.trustedProxies.stream().map(CidrRange::parse).toList(),
					this.headerTimeout, (int) this.maxHeaderLength.toBytes());
		}

	}

	/**
	 * TLS of every listener ({@code tcp.server.ssl.*}) whose {@code @SocketHandler} names no
	 * bundle of its own, through Spring Boot SSL bundles ({@code spring.ssl.bundle.*}).
	 */
	public static class Ssl {

		/** Name of the SSL bundle (spring.ssl.bundle.pem|jks.<name>) of the listeners; plain TCP when unset. */
		private String bundle;

		/** Whether clients must (need), may (want) or do not (none) present a certificate. */
		private ClientAuth clientAuth = ClientAuth.NONE;

		/** SSL bundles chosen by the server name a client asks for (SNI); other names get the listener's bundle. */
		private List<ServerNameSslBundle> serverNameBundles = new ArrayList<>();

		/** Close a connection whose TLS handshake has not completed within this time; 0 disables. */
		private Duration handshakeTimeout = TlsSettings.DEFAULT_HANDSHAKE_TIMEOUT;

		/** {@link #setHandshakeExecutor handshake-executor} value that runs the handshakes on the I/O threads. */
		public static final String ON_IO_THREADS = "io-threads";

		/**
		 * Where the handshakes' CPU work runs: unset, on the server's own handshake threads (as
		 * many as cores); 'io-threads', on the I/O threads; else the name of an Executor bean.
		 */
		private String handshakeExecutor;

		public String getBundle() {
			return this.bundle;
		}

		public void setBundle(String bundle) {
			this.bundle = bundle;
		}

		public ClientAuth getClientAuth() {
			return this.clientAuth;
		}

		public void setClientAuth(ClientAuth clientAuth) {
			this.clientAuth = clientAuth;
		}

		public List<ServerNameSslBundle> getServerNameBundles() {
			return this.serverNameBundles;
		}

		public void setServerNameBundles(List<ServerNameSslBundle> serverNameBundles) {
			this.serverNameBundles = serverNameBundles;
		}

		public String getHandshakeExecutor() {
			return this.handshakeExecutor;
		}

		public void setHandshakeExecutor(String handshakeExecutor) {
			this.handshakeExecutor = handshakeExecutor;
		}

		public Duration getHandshakeTimeout() {
			return this.handshakeTimeout;
		}

		public void setHandshakeTimeout(Duration handshakeTimeout) {
			if (handshakeTimeout == null || handshakeTimeout.isNegative()) {
				throw new IllegalArgumentException(
						"tcp.server.ssl.handshake-timeout must be zero or positive but was " + handshakeTimeout);
			}
			this.handshakeTimeout = handshakeTimeout;
		}

		/** Client authentication, as Boot's {@code server.ssl.client-auth}. */
		public enum ClientAuth {

			/** No client certificate is asked for. */
			NONE,

			/** A client certificate is asked for; a client without one is accepted. */
			WANT,

			/** A client certificate is required; a client without one fails the handshake. */
			NEED

		}

		/**
		 * One SNI mapping.
		 *
		 * @param serverName the host name a client asks for, or {@code *.domain} for any one-label name under it
		 * @param bundle the SSL bundle to answer it with
		 */
		public record ServerNameSslBundle(String serverName, String bundle) {
		}

	}

	/** How the server stops when the application context closes. */
	public enum Shutdown {

		/** Stop accepting, let queued output drain, then close; bounded by the shutdown phase timeout. */
		GRACEFUL,

		/** Close every connection at once; queued output is discarded. */
		IMMEDIATE

	}

}
