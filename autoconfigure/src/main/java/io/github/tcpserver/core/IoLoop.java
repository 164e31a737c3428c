package io.github.tcpserver.core;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One I/O thread and the {@link Selector} it owns: select, dispatch ready keys, run queued tasks,
 * repeat. Other threads never touch the selector; they submit tasks with {@link #execute}.
 * <p>
 * The hot path allocates nothing: ready keys are dispatched through one reused consumer (no
 * selected-key set iterator), reads go into one shared buffer per loop, and heap bytes are written
 * through one shared direct staging buffer.
 */
final class IoLoop implements Runnable {

	private static final System.Logger log = System.getLogger(IoLoop.class.getName());

	/** Tasks run per iteration before the loop selects again, so tasks cannot starve I/O. */
	private static final int MAX_TASKS_PER_ITERATION = 4096;

	/** Connections accepted per OP_ACCEPT event before other keys get a turn. */
	private static final int MAX_ACCEPTS_PER_EVENT = 64;

	private final SelectorServer server;

	private final ServerConfig config;

	private final Selector selector;

	private final Thread thread;

	private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

	/**
	 * {@code true} while the loop is awake or a wakeup is already on its way. Submitters call
	 * {@code selector.wakeup()} (a syscall) only when they flip it from {@code false}: the loop
	 * sets it to {@code false} just before it checks the task queue and blocks, so a task added
	 * after that check always finds it {@code false} and wakes the selector, and a task added
	 * before it is seen by the check.
	 */
	private final AtomicBoolean wakeupPending = new AtomicBoolean(true);

	private final ByteBuffer readBuffer;

	/**
	 * Direct buffer through which heap bytes are written. Writing a heap buffer makes the JDK copy
	 * it into a thread-local temporary direct buffer anyway (two ThreadLocal lookups per write,
	 * and one malloc'ed buffer as large as the write when it exceeds the cache): copying into this
	 * one ourselves is the same copy without that cost, and lets a flush gather several queued
	 * buffers into one contiguous write.
	 */
	private final StagingBuffers staging;

	/** Scratch buffers of the TLS layers of this loop's connections; allocated on first use. */
	private final LayerBuffers layerBuffers;

	private final Consumer<SelectionKey> keyDispatcher = this::dispatch;

	private volatile boolean running = true;

	/** Set once the loop has ended: tasks submitted after that are abandoned, not lost silently. */
	private volatile boolean terminated;

	/** Listeners whose accepting is paused after accept() failed, with the nanoTime to resume. */
	private final java.util.Map<Listener, Long> pausedAccepts = new java.util.HashMap<>();

	/** nanoTime taken once per iteration on the first event, 0 when stale. */
	private long now;

	/** How often idle, stalled and lingering connections are checked. */
	private static final long SWEEP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

	private long lastSweepNanos = System.nanoTime();

	// Read by the watchdog thread. Opaque access: no fence on the hot path, yet the stores are
	// not optimised away, so the watchdog sees them within a few microseconds.
	private static final VarHandle BUSY_SINCE;

	private static final VarHandle DISPATCHING;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			BUSY_SINCE = lookup.findVarHandle(IoLoop.class, "busySince", long.class);
			DISPATCHING = lookup.findVarHandle(IoLoop.class, "dispatching", NioConnection.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/** nanoTime the loop woke up with work to do; 0 while it waits in select. */
	@SuppressWarnings("unused")
	private long busySince;

	/** The connection whose event is being handled, for the watchdog's report. */
	@SuppressWarnings("unused")
	private NioConnection dispatching;

	IoLoop(SelectorServer server, ServerConfig config, int index) throws IOException {
		this.server = server;
		this.config = config;
		this.selector = Selector.open();
		this.readBuffer = ByteBuffer.allocateDirect(config.readBufferSize());
		this.staging = new StagingBuffers(Math.max(config.readBufferSize(), 64 * 1024));
		this.layerBuffers = new LayerBuffers(config.readBufferSize());
		this.thread = new Thread(this, config.threadNamePrefix() + index);
		this.thread.setDaemon(false);
	}

	void start() {
		this.thread.start();
	}

	Selector selector() {
		return this.selector;
	}

	SelectorServer server() {
		return this.server;
	}

	ServerConfig config() {
		return this.config;
	}

	Thread thread() {
		return this.thread;
	}

	ByteBuffer stagingBuffer() {
		return this.staging.current();
	}

	StagingBuffers staging() {
		return this.staging;
	}

	LayerBuffers layerBuffers() {
		return this.layerBuffers;
	}

	boolean inLoop() {
		return Thread.currentThread() == this.thread;
	}

	boolean isAlive() {
		return this.thread.isAlive() && this.running;
	}

	/** @return whether this loop's thread is still running, asked to stop or not */
	boolean threadAlive() {
		return this.thread.isAlive();
	}

	/** @return a nanoTime of this iteration (one clock read per iteration, not per event) */
	long now() {
		long n = this.now;
		if (n == 0) {
			n = System.nanoTime();
			this.now = n;
		}
		return n;
	}

	/** Runs {@code task} on this loop's thread. Any thread. */
	void execute(Runnable task) {
		this.tasks.add(task);
		if (this.terminated) {
			abandonTasks(); // the loop is gone: nobody else will run them
		}
		else if (!inLoop() && this.wakeupPending.compareAndSet(false, true)) {
			this.selector.wakeup();
		}
	}

	/** Drops queued tasks, closing the connections whose registration will never run. */
	private void abandonTasks() {
		Runnable task;
		while ((task = this.tasks.poll()) != null) {
			if (task instanceof AbandonableTask abandonable) {
				try {
					abandonable.abandon();
				}
				catch (RuntimeException ex) {
					log.log(Level.WARNING, "Abandoning a task of " + this.thread.getName() + " failed", ex);
				}
			}
		}
	}

	/**
	 * A task with someone waiting on it (a connection to register, a stage to complete), told when
	 * the loop has ended before running it, so that nothing waits forever.
	 */
	interface AbandonableTask extends Runnable {

		/** The loop will never run this task. Called on whichever thread found the loop ended. */
		void abandon();

	}

	/**
	 * Registers a connection accepted on another loop; a named task, so that a loop that has
	 * ended can still close the connection instead of leaking it.
	 */
	static final class Registration implements AbandonableTask {

		private final IoLoop loop;

		final NioConnection connection;

		Registration(IoLoop loop, NioConnection connection) {
			this.loop = loop;
			this.connection = connection;
		}

		@Override
		public void run() {
			this.loop.register(this.connection);
		}

		@Override
		public void abandon() {
			this.connection.closeNow();
		}

	}

	/** Asks the loop to end; it closes its remaining connections on the way out. */
	void stop() {
		this.running = false;
		this.selector.wakeup();
	}

	boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
		this.thread.join(Math.max(1, unit.toMillis(timeout)));
		return !this.thread.isAlive();
	}

	@Override
	public void run() {
		while (this.running) {
			try {
				if (Thread.interrupted()) {
					// A handler or library interrupted this thread; left set, the flag would make
					// every select() return at once and spin the loop.
					log.log(Level.WARNING, this.thread.getName() + " was interrupted; the I/O thread ignores interrupts");
				}
				this.now = 0;
				BUSY_SINCE.setOpaque(this, 0L);
				this.wakeupPending.set(false);
				if (this.tasks.isEmpty()) {
					this.selector.select(this.keyDispatcher, 250);
				}
				else {
					this.selector.selectNow(this.keyDispatcher);
				}
				this.wakeupPending.set(true);
				markBusy();
				runTasks();
				long current = now();
				if (current - this.lastSweepNanos >= SWEEP_INTERVAL_NANOS) {
					this.lastSweepNanos = current;
					sweep(current);
					resumeAccepting(current);
				}
			}
			catch (ClosedSelectorException ex) {
				break;
			}
			catch (Throwable ex) {
				// The loop must not die: log, back off briefly so a persistent failure cannot spin
				// a core, and go on. Only the failing connection (closed where it failed) suffers.
				log.log(Level.ERROR, "Unexpected error in " + this.thread.getName() + "; continuing", ex);
				java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
			}
		}
		closeAll();
	}

	private void runTasks() {
		for (int i = 0; i < MAX_TASKS_PER_ITERATION; i++) {
			Runnable task = this.tasks.poll();
			if (task == null) {
				return;
			}
			try {
				task.run();
			}
			catch (Throwable ex) {
				log.log(Level.ERROR, "A task on " + this.thread.getName() + " failed", ex);
			}
		}
	}

	private void markBusy() {
		if ((long) BUSY_SINCE.getOpaque(this) == 0L) {
			BUSY_SINCE.setOpaque(this, now());
		}
	}

	private void dispatch(SelectionKey key) {
		if (!key.isValid()) {
			return; // closed earlier in this batch (by another connection's handler, say)
		}
		markBusy();
		Object attachment = key.attachment();
		if (attachment instanceof NioConnection connection) {
			DISPATCHING.setOpaque(this, connection);
			int ready = key.readyOps();
			// Write before read: flushing may free queue memory and lift a read pause.
			if ((ready & SelectionKey.OP_WRITE) != 0) {
				connection.onWritable();
			}
			if ((ready & SelectionKey.OP_READ) != 0 && key.isValid()) {
				connection.onReadable(this.readBuffer, this.config.maxReadsPerEvent());
			}
			DISPATCHING.setOpaque(this, (NioConnection) null);
		}
		else if (attachment instanceof Listener listener) {
			this.server.accept(listener, MAX_ACCEPTS_PER_EVENT, this);
		}
	}

	/** Stops accepting on {@code listener} for a while. Loop thread. */
	void pauseAccepting(Listener listener, long millis) {
		SelectionKey key = listener.channel().keyFor(this.selector);
		if (key != null && key.isValid()) {
			key.interestOps(0);
			this.pausedAccepts.put(listener, now() + TimeUnit.MILLISECONDS.toNanos(millis));
		}
	}

	private void resumeAccepting(long current) {
		if (this.pausedAccepts.isEmpty()) {
			return;
		}
		this.pausedAccepts.entrySet().removeIf((paused) -> {
			if (current - paused.getValue() < 0) {
				return false;
			}
			SelectionKey key = paused.getKey().channel().keyFor(this.selector);
			if (key != null && key.isValid()) {
				key.interestOps(SelectionKey.OP_ACCEPT);
			}
			return true;
		});
	}

	/** Checks every connection's timeouts. Loop thread. */
	private void sweep(long current) {
		for (SelectionKey key : this.selector.keys()) {
			if (key.attachment() instanceof NioConnection connection) {
				connection.checkTimeouts(current);
			}
		}
	}

	/**
	 * For the watchdog: how long the loop has been busy with one batch of events, and with whose.
	 * @param nanoTime the caller's clock
	 * @return busy nanos (0 when waiting in select)
	 */
	long busyNanos(long nanoTime) {
		long since = (long) BUSY_SINCE.getOpaque(this);
		return (since == 0) ? 0 : nanoTime - since;
	}

	long busySince() {
		return (long) BUSY_SINCE.getOpaque(this);
	}

	NioConnection dispatching() {
		return (NioConnection) DISPATCHING.getOpaque(this);
	}

	/** Registers a connection accepted elsewhere. Loop thread. */
	void register(NioConnection connection) {
		if (!this.running) {
			this.server.forcedOnStop.increment(); // accepted, but the server stopped before serving it
			connection.closeNow();
			return;
		}
		try {
			connection.register();
		}
		catch (IOException | RuntimeException ex) {
			log.log(Level.WARNING, "Could not register " + connection, ex);
			connection.closeNow();
		}
	}

	/** Graceful shutdown of every connection of this loop. Loop thread. */
	void shutdownConnections() {
		for (NioConnection connection : connections()) {
			connection.shutdown();
		}
	}

	private List<NioConnection> connections() {
		List<NioConnection> connections = new ArrayList<>();
		for (SelectionKey key : this.selector.keys()) {
			if (key.attachment() instanceof NioConnection connection) {
				connections.add(connection);
			}
		}
		return connections;
	}

	private void closeAll() {
		// Registrations, writes and closes submitted before the stop run first, all of them.
		Runnable task;
		while ((task = this.tasks.poll()) != null) {
			try {
				task.run();
			}
			catch (Throwable ex) {
				log.log(Level.ERROR, "A task on " + this.thread.getName() + " failed", ex);
			}
		}
		this.terminated = true;
		abandonTasks(); // any that raced with the flag
		try {
			for (NioConnection connection : connections()) {
				if (connection.closeAtLoopEnd()) {
					this.server.forcedOnStop.increment();
				}
			}
			this.selector.close();
		}
		catch (IOException | ClosedSelectorException ex) {
			log.log(Level.DEBUG, "Closing the selector of " + this.thread.getName() + " failed", ex);
		}
	}

	@Override
	public String toString() {
		return this.thread.getName();
	}

}
