package io.github.tcpserver.core;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default {@linkplain TlsSettings#handshakeExecutor() handshake executor}: as many threads as
 * cores, shared by every TLS listener of the JVM, that run the engines' delegated tasks (the key
 * exchange, the signature, certificate checks: nearly all of a handshake's CPU).
 * <p>
 * Why a pool of its own by default: the I/O loops are half the cores, so with the handshakes on
 * the loops a burst of new connections could use only half the machine, and each handshake
 * (a millisecond or two of CPU with the JDK provider) would delay every other connection of its
 * loop (measured in BENCHMARKS.md: 0.83 x Netty's new handshakes per second on the loops, more
 * than Netty's with this pool, and a lower p99). The threads are daemons (a JVM that ends does
 * not wait for them) and end after a minute without work, so an idle server holds none.
 * <p>
 * Bounded: at most {@value #MAX_QUEUED} handshakes wait; past that {@link #execute} refuses, and
 * the connection runs its handshake on its I/O thread instead (backpressure on accepting, never an
 * unbounded queue of key exchanges).
 */
public final class TlsHandshakeThreads implements Executor {

	/** Handshakes waiting for a thread at most. */
	static final int MAX_QUEUED = 1024;

	private static final class Holder {

		static final TlsHandshakeThreads SHARED = new TlsHandshakeThreads(Runtime.getRuntime().availableProcessors());

	}

	private final ThreadPoolExecutor pool;

	TlsHandshakeThreads(int threads) {
		AtomicInteger count = new AtomicInteger();
		this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(MAX_QUEUED), (task) -> {
					// Shared by every server of the JVM: no inherited thread locals, and the library's
					// class loader rather than that of whichever (application) thread made it.
					Thread thread = new Thread(null, task, "tcp-server-tls-" + count.incrementAndGet(), 0, false);
					thread.setDaemon(true);
					thread.setContextClassLoader(TlsHandshakeThreads.class.getClassLoader());
					return thread;
				}, new ThreadPoolExecutor.AbortPolicy());
		this.pool.allowCoreThreadTimeOut(true);
	}

	/**
	 * @return the JVM's shared handshake threads (made on first use)
	 */
	public static TlsHandshakeThreads shared() {
		return Holder.SHARED;
	}

	/**
	 * @return the most threads this pool runs
	 */
	public int threads() {
		return this.pool.getMaximumPoolSize();
	}

	/**
	 * @return tasks run to the end so far
	 */
	public long completedTasks() {
		return this.pool.getCompletedTaskCount();
	}

	/**
	 * Runs the task on one of the threads.
	 * @throws java.util.concurrent.RejectedExecutionException when {@value #MAX_QUEUED} tasks wait
	 * already (the caller then runs it itself)
	 */
	@Override
	public void execute(Runnable task) {
		this.pool.execute(task);
	}

	@Override
	public String toString() {
		return "TLS handshake threads (" + threads() + ")";
	}

}
