package io.github.tcpserver.core;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server: binds the listeners, runs {@link ServerConfig#ioThreads()} I/O loops and spreads
 * accepted connections over them round-robin.
 * <p>
 * Life: {@code NEW} → {@link #start()} → {@code RUNNING} → {@link #stop(Duration)} →
 * {@code STOPPED}. A stop first closes the listeners (nothing new is accepted), then asks every
 * connection to finish ({@link ConnectionHandler#onShutdown}, queued output written, then closed),
 * waits for that up to the timeout, and closes whatever is left. A stopped server can be started
 * again (new loops, listeners bound anew); stopping twice, or stopping one that never started, is
 * harmless.
 */
public final class SelectorServer {

	private static final System.Logger log = System.getLogger(SelectorServer.class.getName());

	/** Life-cycle states. */
	public enum State {

		NEW, RUNNING, STOPPING, STOPPED

	}

	private final ServerConfig config;

	private final List<ListenerSpec> specs;

	/** Told of every open and close; {@code null} when nobody watches (the common case). */
	private final ConnectionObserver observer;

	private final AtomicLong nextId = new AtomicLong();

	private final AtomicInteger activeConnections = new AtomicInteger();

	private final ConcurrentHashMap<Long, NioConnection> connections = new ConcurrentHashMap<>();

	private final Object lifecycleMonitor = new Object();

	private final Object drainMonitor = new Object();

	private volatile State state = State.NEW;

	/** Set once the listeners are closed; guarded by {@link #lifecycleMonitor}. */
	private boolean listenersClosed;

	private volatile List<Listener> listeners = List.of();

	/** Replaced at each start; read by other threads (stop, the endpoint). */
	private volatile IoLoop[] loops = new IoLoop[0];

	/** Round-robin cursor; only the loop threads that accept touch it. */
	private final AtomicInteger nextLoop = new AtomicInteger();

	private ShutdownResult shutdownResult;

	private LoopWatchdog watchdog;

	private final LongAdder blockedLoopEvents = new LongAdder();

	/** Connections closed cleanly (all output written) while stopping. */
	private final LongAdder drainedOnStop = new LongAdder();

	/** Connections still open, output possibly unwritten, when their loop ended. */
	final LongAdder forcedOnStop = new LongAdder();

	/** How long accepting pauses after accept() failed (out of file descriptors, say). */
	static final long ACCEPT_PAUSE_MILLIS = 100;

	public SelectorServer(ServerConfig config, List<ListenerSpec> listeners) {
		this(config, listeners, null);
	}

	/**
	 * @param config the tunables
	 * @param listeners what to listen on; at least one
	 * @param observer told of every connection's open and close, or {@code null}
	 */
	public SelectorServer(ServerConfig config, List<ListenerSpec> listeners, ConnectionObserver observer) {
		this.config = config;
		this.observer = observer;
		this.specs = List.copyOf(listeners);
		if (this.specs.isEmpty()) {
			throw new IllegalArgumentException("A SelectorServer needs at least one listener");
		}
		Set<String> names = new HashSet<>();
		for (ListenerSpec spec : this.specs) {
			if (!names.add(spec.name())) {
				throw new IllegalArgumentException("Two listeners are named '" + spec.name() + "'");
			}
		}
	}

	public ServerConfig config() {
		return this.config;
	}

	public State state() {
		return this.state;
	}

	public boolean isRunning() {
		return this.state == State.RUNNING;
	}

	/** @return the listener specs this server was built with */
	public List<ListenerSpec> listenerSpecs() {
		return this.specs;
	}

	/** @return the bound listeners; empty before {@link #start()} */
	public List<Listener> listeners() {
		return this.listeners;
	}

	/**
	 * @param name a listener name
	 * @return the bound listener of that name
	 */
	public Optional<Listener> listener(String name) {
		return this.listeners.stream().filter((listener) -> listener.name().equals(name)).findFirst();
	}

	/**
	 * @param name a listener name
	 * @return the port that listener is bound to
	 * @throws IllegalStateException if the server is not bound or no listener has that name
	 */
	public int port(String name) {
		return listener(name).orElseThrow(() -> new IllegalStateException("No bound listener named '" + name + "'"))
			.port();
	}

	/** @return the open connections, a live read-only view */
	public Collection<Connection> connections() {
		return Collections.unmodifiableCollection(this.connections.values());
	}

	public Optional<Connection> connection(long id) {
		return Optional.ofNullable(this.connections.get(id));
	}

	public int activeConnections() {
		return this.activeConnections.get();
	}

	/** @return bytes received over the server's life, closed and open connections together */
	public long bytesReceived() {
		long total = 0;
		for (Listener listener : this.listeners) {
			total += bytesReceived(listener);
		}
		return total;
	}

	/** @return bytes sent over the server's life, closed and open connections together */
	public long bytesSent() {
		long total = 0;
		for (Listener listener : this.listeners) {
			total += bytesSent(listener);
		}
		return total;
	}

	/**
	 * Bytes received on one listener, closed and open connections together. Computed when called
	 * (open connections are summed), so the I/O loops count nothing extra.
	 * @param listener a listener of this server
	 * @return the bytes received
	 */
	public long bytesReceived(Listener listener) {
		// Closed total first: a connection closing meanwhile is then missed for an instant, never
		// counted twice (connectionClosed removes it before adding its bytes to the total).
		long total = listener.closedBytesReceived();
		for (NioConnection connection : this.connections.values()) {
			if (connection.listener == listener) {
				total += connection.bytesReceived();
			}
		}
		return listener.reportedBytesReceived.accumulateAndGet(total, Math::max);
	}

	/**
	 * Bytes sent on one listener, closed and open connections together; computed when called.
	 * @param listener a listener of this server
	 * @return the bytes sent
	 */
	public long bytesSent(Listener listener) {
		long total = listener.closedBytesSent();
		for (NioConnection connection : this.connections.values()) {
			if (connection.listener == listener) {
				total += connection.bytesSent();
			}
		}
		return listener.reportedBytesSent.accumulateAndGet(total, Math::max);
	}

	/**
	 * Output queued on one listener's open connections and not yet taken by their sockets;
	 * computed when called.
	 * @param listener a listener of this server
	 * @return the queued bytes
	 */
	public long pendingOutboundBytes(Listener listener) {
		long total = 0;
		for (NioConnection connection : this.connections.values()) {
			if (connection.listener == listener) {
				total += connection.pendingOutboundBytes();
			}
		}
		return total;
	}

	/** @return the names of the I/O loop threads that are not running although the server is */
	public List<String> deadLoops() {
		List<String> dead = new ArrayList<>();
		if (this.state == State.RUNNING) {
			for (IoLoop loop : this.loops) {
				if (!loop.isAlive()) {
					dead.add(loop.toString());
				}
			}
		}
		return dead;
	}

	/** @return times an I/O thread was found held by one handler call past the blocked-loop warning */
	public long blockedLoopEvents() {
		return this.blockedLoopEvents.sum();
	}

	/** @return number of I/O loops */
	public int ioThreads() {
		return this.loops.length;
	}

	/**
	 * Binds every listener and starts the I/O loops. If any listener cannot bind, everything bound
	 * so far is released and the exception is thrown. A stopped server starts again with new loops
	 * and freshly bound listeners (whose counters start from zero; a listener on port 0 gets a new
	 * port): Spring stops and starts a context's life cycle when a test framework pauses a cached
	 * context and resumes it.
	 * @throws PortInUseException if a port is taken
	 * @throws IllegalStateException if binding failed otherwise
	 */
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.state == State.RUNNING) {
				return;
			}
			if (this.state == State.STOPPED) {
				for (IoLoop loop : this.loops) {
					if (loop.threadAlive()) {
						// stop() gave up waiting for it: it may still close connections into this run's counts.
						throw new IllegalStateException("Cannot start again: " + loop + " of the previous run has not ended");
					}
				}
				this.listenersClosed = false;
				this.drainedOnStop.reset();
				this.forcedOnStop.reset();
				this.watchdog = null;
			}
			List<Listener> bound = new ArrayList<>();
			List<IoLoop> started = new ArrayList<>();
			try {
				for (ListenerSpec spec : this.specs) {
					bound.add(bind(spec));
				}
				IoLoop[] newLoops = new IoLoop[this.config.ioThreads()];
				for (int i = 0; i < newLoops.length; i++) {
					newLoops[i] = new IoLoop(this, this.config, i);
					started.add(newLoops[i]);
				}
				// Listeners are spread over the loops too; registering before the threads start
				// means no select() is in progress to block the registration.
				for (int i = 0; i < bound.size(); i++) {
					Listener listener = bound.get(i);
					listener.channel().register(newLoops[i % newLoops.length].selector(), SelectionKey.OP_ACCEPT, listener);
				}
				this.loops = newLoops;
				this.listeners = List.copyOf(bound);
				this.state = State.RUNNING;
				for (IoLoop loop : newLoops) {
					loop.start();
				}
				if (!this.config.blockedLoopWarning().isZero()) {
					this.watchdog = new LoopWatchdog(newLoops, this.config, this.blockedLoopEvents);
					this.watchdog.start();
				}
			}
			catch (IOException | RuntimeException ex) {
				for (Listener listener : bound) {
					closeQuietly(listener.channel());
				}
				for (IoLoop loop : started) {
					closeQuietly(loop.selector());
				}
				if (ex instanceof RuntimeException runtime) {
					throw runtime;
				}
				throw new IllegalStateException("Could not start the TCP server: " + ex, ex);
			}
		}
	}

	private Listener bind(ListenerSpec spec) throws IOException {
		InetSocketAddress address = new InetSocketAddress(spec.address(), spec.port());
		ServerSocketChannel channel = ServerSocketChannel.open();
		try {
			channel.setOption(StandardSocketOptions.SO_REUSEADDR, this.config.reuseAddress());
			if (this.config.receiveBufferSize() > 0) {
				// Set before bind so that the window scale offered to peers matches (see ServerSocket#setReceiveBufferSize).
				channel.setOption(StandardSocketOptions.SO_RCVBUF, this.config.receiveBufferSize());
			}
			channel.bind(address, this.config.backlog());
			channel.configureBlocking(false);
			return new Listener(spec, channel, (InetSocketAddress) channel.getLocalAddress());
		}
		catch (BindException ex) {
			closeQuietly(channel);
			throw new PortInUseException(spec.name(), (spec.address() != null) ? spec.address().getHostAddress() : "*",
					spec.port(), ex);
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(channel);
			throw ex;
		}
	}

	/** Accepts pending connections of {@code listener}. Called on the listener's loop thread. */
	void accept(Listener listener, int max, IoLoop acceptingLoop) {
		for (int i = 0; i < max; i++) {
			SocketChannel channel;
			try {
				channel = listener.channel().accept();
			}
			catch (IOException ex) {
				// EMFILE (out of file descriptors) lands here. The pending connection stays in the
				// backlog, so the key stays ready: without a pause the loop would spin on it.
				logThrottled(listener, "Accepting on listener '" + listener.name() + "' failed: " + ex
						+ "; pausing accepts for " + ACCEPT_PAUSE_MILLIS + " ms");
				acceptingLoop.pauseAccepting(listener, ACCEPT_PAUSE_MILLIS);
				return;
			}
			if (channel == null) {
				return;
			}
			if (this.activeConnections.incrementAndGet() > this.config.maxConnections()) {
				this.activeConnections.decrementAndGet();
				listener.rejected.increment();
				closeQuietly(channel);
				logThrottled(listener, "Rejected a connection on listener '" + listener.name() + "': "
						+ this.config.maxConnections() + " connections are open (tcp.server.max-connections); "
						+ listener.rejectedConnections() + " rejected so far");
				continue;
			}
			try {
				configure(channel);
				IoLoop loop = nextLoop();
				NioConnection connection = new NioConnection(this.nextId.incrementAndGet(), channel, loop, listener,
						(InetSocketAddress) channel.getRemoteAddress(), (InetSocketAddress) channel.getLocalAddress());
				listener.active.incrementAndGet();
				listener.accepted.increment();
				if (loop.inLoop()) {
					loop.register(connection);
				}
				else {
					loop.execute(new IoLoop.Registration(loop, connection));
				}
			}
			catch (IOException | RuntimeException ex) {
				// The peer may already have reset the connection; only that one is lost.
				this.activeConnections.decrementAndGet();
				closeQuietly(channel);
				log.log(Level.DEBUG, () -> "Could not set up an accepted connection: " + ex);
			}
		}
	}

	/** The next loop round-robin, passing over a loop whose thread has died. */
	private IoLoop nextLoop() {
		for (int i = 0; i < this.loops.length; i++) {
			IoLoop loop = this.loops[Math.floorMod(this.nextLoop.getAndIncrement(), this.loops.length)];
			if (loop.isAlive()) {
				return loop;
			}
		}
		throw new IllegalStateException("No I/O thread is alive");
	}

	private void notifyObserver(NioConnection connection, boolean opened) {
		try {
			if (opened) {
				this.observer.connectionOpened(connection);
			}
			else {
				this.observer.connectionClosed(connection, connection.closeReason());
			}
		}
		catch (Throwable ex) {
			// An observer is monitoring: its failure must neither kill the loop nor the connection.
			log.log(Level.WARNING, "Connection observer failed on " + connection, ex);
		}
	}

	private void configure(SocketChannel channel) throws IOException {
		channel.configureBlocking(false);
		channel.setOption(StandardSocketOptions.TCP_NODELAY, this.config.tcpNoDelay());
		if (this.config.keepAlive()) {
			channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
		}
		if (this.config.sendBufferSize() > 0) {
			channel.setOption(StandardSocketOptions.SO_SNDBUF, this.config.sendBufferSize());
		}
		if (this.config.receiveBufferSize() > 0) {
			channel.setOption(StandardSocketOptions.SO_RCVBUF, this.config.receiveBufferSize());
		}
	}

	/** A connection is registered with its loop: from now on it is listed. Loop thread. */
	void connectionRegistered(NioConnection connection) {
		this.connections.put(connection.id, connection);
		if (this.observer != null && !connection.listener.isProxyProtocol()) {
			// Before the handler's onOpen, so that the observer sees every open before its close.
			connection.observed = true;
			notifyObserver(connection, true);
		}
	}

	/**
	 * A PROXY protocol header named the connection's client: the observer hears of the open now,
	 * so that it sees the client's address rather than the balancer's. Loop thread.
	 */
	void connectionIdentified(NioConnection connection) {
		if (this.observer != null && !connection.observed && connection.isOpen()) {
			connection.observed = true;
			notifyObserver(connection, true);
		}
	}

	/**
	 * Bookkeeping of a closed connection. Called exactly once per accepted connection (closing is
	 * idempotent), on its loop thread, whether or not it was ever registered.
	 * @param clean whether everything owed to the peer was written first
	 */
	void connectionClosed(NioConnection connection, boolean clean) {
		boolean registered = this.connections.remove(connection.id) != null;
		if (clean && this.state == State.STOPPING) {
			this.drainedOnStop.increment();
		}
		Listener listener = connection.listener;
		// Bytes before the close count: whoever sees the close counted also sees its bytes.
		listener.closedBytesReceived.add(connection.bytesReceived());
		listener.closedBytesSent.add(connection.bytesSent());
		listener.active.decrementAndGet();
		listener.closed.increment();
		if (this.observer != null && registered && connection.observed) {
			// A connection that never got registered (or never sent its PROXY header) was never
			// reported open either.
			notifyObserver(connection, false);
		}
		if (this.activeConnections.decrementAndGet() == 0 && this.state == State.STOPPING) {
			synchronized (this.drainMonitor) {
				this.drainMonitor.notifyAll();
			}
		}
	}

	/**
	 * Stops gracefully with the configured {@link ServerConfig#shutdownTimeout()}.
	 * @return what the stop did
	 */
	public ShutdownResult stop() {
		return stop(this.config.shutdownTimeout());
	}

	/**
	 * Stops accepting, lets every connection write what it has queued, then closes. Connections
	 * still open after {@code timeout} are closed forcibly. A zero timeout is an immediate stop:
	 * connections are closed at once, queued output discarded.
	 * @param timeout how long to wait for connections to drain
	 * @return what the stop did; the same result again when already stopped
	 */
	public ShutdownResult stop(Duration timeout) {
		for (IoLoop loop : this.loops) {
			if (loop.inLoop()) {
				// It would wait for its own loop to drain and join itself.
				throw new IllegalStateException("stop() must not be called on an I/O thread; call it from another thread");
			}
		}
		synchronized (this.lifecycleMonitor) {
			if (this.state == State.STOPPED) {
				return this.shutdownResult;
			}
			long started = System.nanoTime();
			if (this.state == State.NEW) {
				this.state = State.STOPPED;
				this.shutdownResult = new ShutdownResult(0, 0, Duration.ZERO);
				return this.shutdownResult;
			}
			this.state = State.STOPPING;
			stopAccepting();
			int open = this.activeConnections.get();
			if (!timeout.isZero() && open > 0) {
				for (IoLoop loop : this.loops) {
					loop.execute(loop::shutdownConnections);
				}
				awaitDrained(started + timeout.toNanos());
			}
			if (this.watchdog != null) {
				this.watchdog.stop();
			}
			for (IoLoop loop : this.loops) {
				loop.stop();
			}
			for (IoLoop loop : this.loops) {
				try {
					if (!loop.awaitTermination(10, TimeUnit.SECONDS)) {
						log.log(Level.WARNING, loop + " did not end within 10 s of the stop");
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
			this.state = State.STOPPED;
			this.shutdownResult = new ShutdownResult((int) this.drainedOnStop.sum(), (int) this.forcedOnStop.sum(),
					Duration.ofNanos(System.nanoTime() - started));
			return this.shutdownResult;
		}
	}

	/**
	 * Closes every listener and waits until their ports are released, so that a connection
	 * attempted after this returns is refused. Idempotent; {@link #stop(Duration)} calls it first.
	 * Call it before {@code stop} to report "no longer accepting" only once that is true.
	 */
	public void stopAccepting() {
		synchronized (this.lifecycleMonitor) {
			if (this.listenersClosed || this.state == State.NEW) {
				return;
			}
			this.listenersClosed = true;
			closeListeners();
		}
	}

	private void closeListeners() {
		// Close each listener on its own loop and wait, so the port is released (the selector
		// deregisters the key) before stop() goes on.
		CountDownLatch closed = new CountDownLatch(this.listeners.size());
		for (int i = 0; i < this.listeners.size(); i++) {
			Listener listener = this.listeners.get(i);
			IoLoop loop = this.loops[i % this.loops.length];
			loop.execute(() -> {
				try {
					SelectionKey key = listener.channel().keyFor(loop.selector());
					if (key != null) {
						key.cancel();
					}
					listener.channel().close();
					// Lets the selector deregister the key now, which releases the port.
					loop.selector().selectNow((k) -> {
					});
				}
				catch (IOException ex) {
					log.log(Level.WARNING, "Closing listener " + listener + " failed", ex);
				}
				finally {
					closed.countDown();
				}
			});
		}
		try {
			if (!closed.await(10, TimeUnit.SECONDS)) {
				log.log(Level.WARNING, "Listeners did not close within 10 s; closing them from the stopping thread");
				for (Listener listener : this.listeners) {
					closeQuietly(listener.channel());
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void awaitDrained(long deadlineNanos) {
		synchronized (this.drainMonitor) {
			while (this.activeConnections.get() > 0) {
				long left = deadlineNanos - System.nanoTime();
				if (left <= 0) {
					return;
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this.drainMonitor, left);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	private final ConcurrentHashMap<String, Long> lastThrottledLog = new ConcurrentHashMap<>();

	private void logThrottled(Listener listener, String message) {
		long now = System.nanoTime();
		Long last = this.lastThrottledLog.get(listener.name());
		if (last == null || now - last > TimeUnit.SECONDS.toNanos(1)) {
			this.lastThrottledLog.put(listener.name(), now);
			log.log(Level.WARNING, message);
		}
	}

	private static void closeQuietly(java.io.Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// Nothing more can be done for a channel we are abandoning.
		}
	}

	@Override
	public String toString() {
		return "SelectorServer " + this.state + " " + this.listeners;
	}

}
