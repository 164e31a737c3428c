package io.github.tcpserver.blocking;

import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the tasks of one connection one at a time, in submission order, on a shared executor: at
 * most one of its tasks is ever queued in or running on that executor (the contract of Netty's
 * {@code EventExecutorGroup} for a channel, without a thread per connection).
 */
final class SerialExecutor implements Executor, Runnable {

	private static final System.Logger log = System.getLogger(SerialExecutor.class.getName());

	/**
	 * Tasks run per turn on a worker before the rest is handed back to the executor, so that one
	 * busy connection cannot keep a pooled thread from the others.
	 */
	private static final int MAX_TASKS_PER_TURN = 64;

	private final Executor executor;

	private final String name;

	private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

	/** {@code true} while a turn is scheduled on or running on the executor. */
	private final AtomicBoolean scheduled = new AtomicBoolean();

	SerialExecutor(Executor executor, String name) {
		this.executor = executor;
		this.name = name;
	}

	@Override
	public void execute(Runnable task) {
		this.tasks.add(task);
		if (this.scheduled.compareAndSet(false, true)) {
			schedule();
		}
	}

	private void schedule() {
		try {
			this.executor.execute(this);
		}
		catch (RejectedExecutionException ex) {
			// Spring stops its task executors from taking new tasks when the context closes, before
			// the server's graceful stop; the connection's remaining events still have to run (in
			// order) for the stop to drain it. They go to a small pool shared by every connection:
			// a thread each would start thousands at once on a busy server's stop.
			log.log(Level.DEBUG, () -> "Executor rejected the events of " + this.name + "; running them on the shared fallback pool");
			FALLBACK.execute(this);
		}
	}

	/** Most threads of the fallback pool; its queue is unbounded, as connections are few compared to tasks. */
	static final int FALLBACK_THREADS = 8;

	/**
	 * Runs the turns the connection's executor refused (it was shut down before the server's
	 * graceful stop). Daemon threads that end after a second idle, so it costs nothing but while used.
	 */
	private static final ThreadPoolExecutor FALLBACK;

	static {
		AtomicInteger count = new AtomicInteger();
		FALLBACK = new ThreadPoolExecutor(FALLBACK_THREADS, FALLBACK_THREADS, 1, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), (task) -> {
					Thread thread = new Thread(task, "tcp-server-offload-fallback-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		FALLBACK.allowCoreThreadTimeOut(true);
	}

	@Override
	public void run() {
		for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
			Runnable task = this.tasks.poll();
			if (task == null) {
				break;
			}
			try {
				task.run();
			}
			catch (Throwable ex) {
				// The turn must go on: a task that escaped its own error handling costs only itself.
				log.log(Level.ERROR, "A task of " + this.name + " failed", ex);
			}
		}
		// Release the turn, then look again: a task added after the last poll but before the
		// release saw the turn taken and did not schedule one, so it must be picked up here.
		this.scheduled.set(false);
		if (!this.tasks.isEmpty() && this.scheduled.compareAndSet(false, true)) {
			schedule();
		}
	}

}
