package io.github.tcpserver.core;

import java.time.Duration;

/**
 * Every tunable of a {@link SelectorServer} in one place, with its named default. Immutable;
 * build one with {@link #builder()}.
 */
public final class ServerConfig {

	/** Default accept backlog: above Netty's 128 so a connection burst is not refused. */
	public static final int DEFAULT_BACKLOG = 1024;

	/** Default size of each I/O loop's shared read buffer. */
	public static final int DEFAULT_READ_BUFFER_SIZE = 64 * 1024;

	/** Default limit of concurrently open connections over all listeners. */
	public static final int DEFAULT_MAX_CONNECTIONS = 65_536;

	/** Default outbound bytes above which a connection stops being read. */
	public static final int DEFAULT_WRITE_HIGH_WATER_MARK = 64 * 1024;

	/** Default outbound bytes below which reading resumes. */
	public static final int DEFAULT_WRITE_LOW_WATER_MARK = 32 * 1024;

	/** Default outbound bytes beyond which a connection is closed as not keeping up. */
	public static final long DEFAULT_MAX_QUEUED_OUTPUT = 16L * 1024 * 1024;

	/** Default number of reads per readiness event before the loop serves other connections. */
	public static final int DEFAULT_MAX_READS_PER_EVENT = 16;

	/**
	 * Default write-idle timeout: output queued for a peer that takes none of it for a minute is
	 * dropped with its connection. Without it, a peer that asks for a large reply and never reads
	 * holds up to maxQueuedOutput of heap for ever (reading is paused then, so read-idle cannot
	 * fire), and so does a closing connection whose last bytes never leave.
	 */
	public static final Duration DEFAULT_WRITE_IDLE_TIMEOUT = Duration.ofSeconds(60);

	/** Default wait for the peer's close after a graceful close sent FIN. */
	public static final Duration DEFAULT_LINGER_TIMEOUT = Duration.ofSeconds(2);

	/** Default time one event may hold an I/O thread before the watchdog reports the handler. */
	public static final Duration DEFAULT_BLOCKED_LOOP_WARNING = Duration.ofSeconds(1);

	/**
	 * Default number of I/O loops: half the available processors, at least one (Jetty's rule for
	 * its selectors). A loop spends most of its time in the kernel; one per core leaves no core for
	 * the application's own threads (offloaded handlers, GC, the web server), and on a loaded
	 * 2-core machine two loops tripled the p99 latency of an echo benchmark (4.6 ms against 1.5 ms,
	 * see BENCHMARKS.md) for no gain in throughput.
	 * @return the default for {@link Builder#ioThreads(int)}
	 */
	public static int defaultIoThreads() {
		return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
	}

	/** Default prefix of the I/O loop thread names. */
	public static final String DEFAULT_THREAD_NAME_PREFIX = "tcp-server-io-";

	private final int ioThreads;

	private final int backlog;

	private final int readBufferSize;

	private final int maxConnections;

	private final boolean tcpNoDelay;

	private final boolean keepAlive;

	private final boolean reuseAddress;

	private final int receiveBufferSize;

	private final int sendBufferSize;

	private final int writeHighWaterMark;

	private final int writeLowWaterMark;

	private final long maxQueuedOutput;

	private final int maxReadsPerEvent;

	private final Duration shutdownTimeout;

	private final Duration readIdleTimeout;

	private final Duration writeIdleTimeout;

	private final Duration lingerTimeout;

	private final Duration blockedLoopWarning;

	private final String threadNamePrefix;

	private ServerConfig(Builder builder) {
		this.ioThreads = builder.ioThreads;
		this.backlog = builder.backlog;
		this.readBufferSize = builder.readBufferSize;
		this.maxConnections = builder.maxConnections;
		this.tcpNoDelay = builder.tcpNoDelay;
		this.keepAlive = builder.keepAlive;
		this.reuseAddress = builder.reuseAddress;
		this.receiveBufferSize = builder.receiveBufferSize;
		this.sendBufferSize = builder.sendBufferSize;
		this.writeHighWaterMark = builder.writeHighWaterMark;
		this.writeLowWaterMark = builder.writeLowWaterMark;
		this.maxQueuedOutput = builder.maxQueuedOutput;
		this.maxReadsPerEvent = builder.maxReadsPerEvent;
		this.shutdownTimeout = builder.shutdownTimeout;
		this.readIdleTimeout = builder.readIdleTimeout;
		this.writeIdleTimeout = builder.writeIdleTimeout;
		this.lingerTimeout = builder.lingerTimeout;
		this.blockedLoopWarning = builder.blockedLoopWarning;
		this.threadNamePrefix = builder.threadNamePrefix;
	}

	public static Builder builder() {
		return new Builder();
	}

	public static ServerConfig defaults() {
		return builder().build();
	}

	public int ioThreads() {
		return this.ioThreads;
	}

	public int backlog() {
		return this.backlog;
	}

	public int readBufferSize() {
		return this.readBufferSize;
	}

	public int maxConnections() {
		return this.maxConnections;
	}

	public boolean tcpNoDelay() {
		return this.tcpNoDelay;
	}

	public boolean keepAlive() {
		return this.keepAlive;
	}

	public boolean reuseAddress() {
		return this.reuseAddress;
	}

	/** @return SO_RCVBUF for accepted sockets, or 0 for the operating system's default */
	public int receiveBufferSize() {
		return this.receiveBufferSize;
	}

	/** @return SO_SNDBUF for accepted sockets, or 0 for the operating system's default */
	public int sendBufferSize() {
		return this.sendBufferSize;
	}

	public int writeHighWaterMark() {
		return this.writeHighWaterMark;
	}

	public int writeLowWaterMark() {
		return this.writeLowWaterMark;
	}

	public long maxQueuedOutput() {
		return this.maxQueuedOutput;
	}

	public int maxReadsPerEvent() {
		return this.maxReadsPerEvent;
	}

	/** @return how long a graceful stop waits for queued output to drain */
	public Duration shutdownTimeout() {
		return this.shutdownTimeout;
	}

	public String threadNamePrefix() {
		return this.threadNamePrefix;
	}

	/** @return default read-idle timeout of every connection; zero when off */
	public Duration readIdleTimeout() {
		return this.readIdleTimeout;
	}

	/** @return default write-idle (stalled output) timeout of every connection; zero when off */
	public Duration writeIdleTimeout() {
		return this.writeIdleTimeout;
	}

	/** @return how long a closing connection waits for the peer to close after our FIN */
	public Duration lingerTimeout() {
		return this.lingerTimeout;
	}

	/**
	 * @return how long one event may keep an I/O thread busy before the handler is reported as
	 * blocking it; zero switches the watchdog off
	 */
	public Duration blockedLoopWarning() {
		return this.blockedLoopWarning;
	}

	/**
	 * Builder of {@link ServerConfig}; every setter rejects a value outside its range with an
	 * {@link IllegalArgumentException} naming the setting.
	 */
	public static final class Builder {

		private int ioThreads = defaultIoThreads();

		private int backlog = DEFAULT_BACKLOG;

		private int readBufferSize = DEFAULT_READ_BUFFER_SIZE;

		private int maxConnections = DEFAULT_MAX_CONNECTIONS;

		private boolean tcpNoDelay = true;

		private boolean keepAlive;

		private boolean reuseAddress = true;

		private int receiveBufferSize;

		private int sendBufferSize;

		private int writeHighWaterMark = DEFAULT_WRITE_HIGH_WATER_MARK;

		private int writeLowWaterMark = DEFAULT_WRITE_LOW_WATER_MARK;

		private long maxQueuedOutput = DEFAULT_MAX_QUEUED_OUTPUT;

		private int maxReadsPerEvent = DEFAULT_MAX_READS_PER_EVENT;

		private Duration shutdownTimeout = Duration.ofSeconds(30);

		private String threadNamePrefix = DEFAULT_THREAD_NAME_PREFIX;

		private Duration readIdleTimeout = Duration.ZERO;

		private Duration writeIdleTimeout = DEFAULT_WRITE_IDLE_TIMEOUT;

		private Duration lingerTimeout = DEFAULT_LINGER_TIMEOUT;

		private Duration blockedLoopWarning = DEFAULT_BLOCKED_LOOP_WARNING;

		private Builder() {
		}

		public Builder ioThreads(int ioThreads) {
			this.ioThreads = requireAtLeast("ioThreads", ioThreads, 1);
			return this;
		}

		public Builder backlog(int backlog) {
			this.backlog = requireAtLeast("backlog", backlog, 1);
			return this;
		}

		public Builder readBufferSize(int readBufferSize) {
			this.readBufferSize = requireAtLeast("readBufferSize", readBufferSize, 64);
			return this;
		}

		public Builder maxConnections(int maxConnections) {
			this.maxConnections = requireAtLeast("maxConnections", maxConnections, 1);
			return this;
		}

		public Builder tcpNoDelay(boolean tcpNoDelay) {
			this.tcpNoDelay = tcpNoDelay;
			return this;
		}

		public Builder keepAlive(boolean keepAlive) {
			this.keepAlive = keepAlive;
			return this;
		}

		public Builder reuseAddress(boolean reuseAddress) {
			this.reuseAddress = reuseAddress;
			return this;
		}

		public Builder receiveBufferSize(int receiveBufferSize) {
			this.receiveBufferSize = requireAtLeast("receiveBufferSize", receiveBufferSize, 0);
			return this;
		}

		public Builder sendBufferSize(int sendBufferSize) {
			this.sendBufferSize = requireAtLeast("sendBufferSize", sendBufferSize, 0);
			return this;
		}

		/**
		 * Sets both marks of write backpressure.
		 * @param low outbound bytes below which reading resumes
		 * @param high outbound bytes above which reading pauses; must exceed {@code low}
		 * @return this builder
		 */
		public Builder writeWaterMarks(int low, int high) {
			requireAtLeast("writeLowWaterMark", low, 0);
			requireAtLeast("writeHighWaterMark", high, 1);
			if (low >= high) {
				throw new IllegalArgumentException(
						"writeLowWaterMark (" + low + ") must be below writeHighWaterMark (" + high + ")");
			}
			this.writeLowWaterMark = low;
			this.writeHighWaterMark = high;
			return this;
		}

		public Builder maxQueuedOutput(long maxQueuedOutput) {
			if (maxQueuedOutput < 1) {
				throw new IllegalArgumentException("maxQueuedOutput must be at least 1 but was " + maxQueuedOutput);
			}
			this.maxQueuedOutput = maxQueuedOutput;
			return this;
		}

		public Builder maxReadsPerEvent(int maxReadsPerEvent) {
			this.maxReadsPerEvent = requireAtLeast("maxReadsPerEvent", maxReadsPerEvent, 1);
			return this;
		}

		public Builder shutdownTimeout(Duration shutdownTimeout) {
			if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
				throw new IllegalArgumentException("shutdownTimeout must be zero or positive but was " + shutdownTimeout);
			}
			this.shutdownTimeout = shutdownTimeout;
			return this;
		}

		public Builder readIdleTimeout(Duration readIdleTimeout) {
			this.readIdleTimeout = requireNotNegative("readIdleTimeout", readIdleTimeout);
			return this;
		}

		public Builder writeIdleTimeout(Duration writeIdleTimeout) {
			this.writeIdleTimeout = requireNotNegative("writeIdleTimeout", writeIdleTimeout);
			return this;
		}

		public Builder lingerTimeout(Duration lingerTimeout) {
			this.lingerTimeout = requireNotNegative("lingerTimeout", lingerTimeout);
			return this;
		}

		public Builder blockedLoopWarning(Duration blockedLoopWarning) {
			this.blockedLoopWarning = requireNotNegative("blockedLoopWarning", blockedLoopWarning);
			return this;
		}

		private static Duration requireNotNegative(String name, Duration value) {
			if (value == null || value.isNegative()) {
				throw new IllegalArgumentException(name + " must be zero or positive but was " + value);
			}
			return value;
		}

		public Builder threadNamePrefix(String threadNamePrefix) {
			if (threadNamePrefix == null || threadNamePrefix.isBlank()) {
				throw new IllegalArgumentException("threadNamePrefix must not be blank");
			}
			this.threadNamePrefix = threadNamePrefix;
			return this;
		}

		public ServerConfig build() {
			if (this.maxQueuedOutput < this.writeHighWaterMark) {
				throw new IllegalArgumentException("maxQueuedOutput (" + this.maxQueuedOutput
						+ ") must not be below writeHighWaterMark (" + this.writeHighWaterMark + ")");
			}
			return new ServerConfig(this);
		}

		private static int requireAtLeast(String name, int value, int min) {
			if (value < min) {
				throw new IllegalArgumentException(name + " must be at least " + min + " but was " + value);
			}
			return value;
		}

	}

}
