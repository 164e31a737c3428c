package io.github.tcpserver.test;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The clock of a client that must go at a set pace (a trickling attacker, a slow reader): ticks
 * at fixed times from its start, so the pace holds however long the work between ticks took.
 * For producing load at a rate only; a test that waits for something to happen uses
 * {@link TestSockets#await} instead.
 */
public final class Pacer {

	private final long intervalNanos;

	private long next;

	/**
	 * @param interval the time between two ticks
	 */
	public Pacer(Duration interval) {
		this.intervalNanos = interval.toNanos();
		this.next = System.nanoTime() + this.intervalNanos;
	}

	/**
	 * Returns at the next tick (at once when it has passed already).
	 * @throws InterruptedException if the thread is interrupted meanwhile
	 */
	public void awaitNextTick() throws InterruptedException {
		long wait;
		while ((wait = this.next - System.nanoTime()) > 0) {
			LockSupport.parkNanos(wait);
			if (Thread.interrupted()) {
				throw new InterruptedException();
			}
		}
		this.next += this.intervalNanos;
	}

}
