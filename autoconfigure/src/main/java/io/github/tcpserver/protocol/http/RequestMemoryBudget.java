package io.github.tcpserver.protocol.http;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bound on the bytes held by request bodies that are still arriving, shared by every
 * connection whose parser was given the same budget (every HTTP listener built with one
 * {@link HttpLimits} instance). Without it, the per-request limit times the number of
 * connections is the heap an attacker can pin by sending partial bodies; with it, a body that
 * would need more than what is left is refused with 503 and its connection closed.
 * <p>
 * Thread-safe: parsers on every I/O thread reserve and release concurrently.
 */
public final class RequestMemoryBudget {

	private final long max;

	private final AtomicLong used = new AtomicLong();

	private final LongAdder refusals = new LongAdder();

	/**
	 * @param max the most bytes all partially received bodies together may hold
	 */
	public RequestMemoryBudget(long max) {
		if (max < 0) {
			throw new IllegalArgumentException("The request memory budget must not be negative but was " + max);
		}
		this.max = max;
	}

	/**
	 * Takes {@code bytes} from the budget, or nothing if that would pass the maximum.
	 * @param bytes how many bytes a body buffer is about to grow by
	 * @return whether they were reserved; when not, the refusal is counted
	 */
	public boolean tryReserve(long bytes) {
		while (true) {
			long current = this.used.get();
			long next = current + bytes;
			if (next > this.max) {
				this.refusals.increment();
				return false;
			}
			if (this.used.compareAndSet(current, next)) {
				return true;
			}
		}
	}

	/**
	 * Gives bytes back: the request they held is complete or its connection closed.
	 * @param bytes what was reserved earlier
	 */
	public void release(long bytes) {
		if (bytes > 0) {
			this.used.addAndGet(-bytes);
		}
	}

	/** @return the most bytes partially received bodies may hold together */
	public long max() {
		return this.max;
	}

	/** @return the bytes they hold now */
	public long used() {
		return this.used.get();
	}

	/** @return how many times a body was refused because the budget was spent */
	public long refusals() {
		return this.refusals.sum();
	}

	@Override
	public String toString() {
		return "RequestMemoryBudget " + used() + "/" + this.max + " bytes";
	}

}
