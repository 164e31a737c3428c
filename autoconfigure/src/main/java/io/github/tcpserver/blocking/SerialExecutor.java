package io.github.tcpserver.blocking;

import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

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
			// order) for the stop to drain it, so they get a thread of their own.
			log.log(Level.DEBUG, () -> "Executor rejected the events of " + this.name + "; running them on a thread of their own");
			Thread thread = new Thread(this, "tcp-server-offload-" + this.name);
			thread.setDaemon(true);
			thread.start();
		}
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
