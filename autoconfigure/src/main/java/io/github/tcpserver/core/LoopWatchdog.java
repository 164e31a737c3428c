package io.github.tcpserver.core;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A daemon thread that notices an I/O loop held by one batch of events for longer than
 * {@link ServerConfig#blockedLoopWarning()} (a handler that blocks: a database call, a sleep, a
 * lock) and logs which listener's handler it is, with the loop thread's stack, once per episode.
 * Every other connection of that loop is frozen meanwhile, so this is worth a warning.
 */
final class LoopWatchdog implements Runnable {

	private static final System.Logger log = System.getLogger(LoopWatchdog.class.getName());

	private final IoLoop[] loops;

	private final long thresholdNanos;

	private final long[] reported;

	private final LongAdder blockedEvents;

	private final Thread thread;

	private volatile boolean running = true;

	LoopWatchdog(IoLoop[] loops, ServerConfig config, LongAdder blockedEvents) {
		this.loops = loops;
		this.thresholdNanos = config.blockedLoopWarning().toNanos();
		this.reported = new long[loops.length];
		this.blockedEvents = blockedEvents;
		this.thread = new Thread(this, config.threadNamePrefix() + "watchdog");
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	void stop() {
		this.running = false;
		this.thread.interrupt();
		try {
			this.thread.join(1000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void run() {
		long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), this.thresholdNanos / 4);
		while (this.running) {
			try {
				TimeUnit.NANOSECONDS.sleep(period);
			}
			catch (InterruptedException ex) {
				return;
			}
			check(System.nanoTime());
		}
	}

	void check(long now) {
		for (int i = 0; i < this.loops.length; i++) {
			IoLoop loop = this.loops[i];
			long since = loop.busySince();
			if (since == 0 || since == this.reported[i] || now - since < this.thresholdNanos) {
				continue;
			}
			this.reported[i] = since;
			this.blockedEvents.increment();
			NioConnection connection = loop.dispatching();
			String culprit = (connection != null)
					? "handler " + connection.listener.handler().getClass().getName() + " of listener '"
							+ connection.listener.name() + "' (connection " + connection.id + ")"
					: "a task or handler";
			Throwable stack = new Throwable("Stack of " + loop.thread().getName());
			stack.setStackTrace(loop.thread().getStackTrace());
			log.log(Level.WARNING, loop.thread().getName() + " has been busy for "
					+ TimeUnit.NANOSECONDS.toMillis(now - since) + " ms in " + culprit
					+ "; every connection of this I/O thread waits meanwhile. Handlers must not block:"
					+ " move blocking work to another thread", stack);
		}
	}

}
