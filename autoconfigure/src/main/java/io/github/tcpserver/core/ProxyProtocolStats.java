package io.github.tcpserver.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.github.tcpserver.core.proxy.ProxyHeaderRefusal;

/**
 * PROXY protocol header counters of one listener, updated once per connection.
 */
public final class ProxyProtocolStats {

	final LongAdder acceptedV1 = new LongAdder();

	final LongAdder acceptedV2 = new LongAdder();

	final LongAdder local = new LongAdder();

	/** Whether an untrusted peer was logged at INFO already: the first one is, the rest at DEBUG. */
	private final AtomicBoolean untrustedLogged = new AtomicBoolean();

	private final Map<ProxyHeaderRefusal, LongAdder> refused = new EnumMap<>(ProxyHeaderRefusal.class);

	ProxyProtocolStats() {
		for (ProxyHeaderRefusal reason : ProxyHeaderRefusal.values()) {
			this.refused.put(reason, new LongAdder());
		}
	}

	boolean firstUntrusted() {
		return this.untrustedLogged.compareAndSet(false, true);
	}

	void refused(ProxyHeaderRefusal reason) {
		this.refused.get(reason).increment();
	}

	/** @return headers accepted, both versions, LOCAL health checks included */
	public long headersAccepted() {
		return this.acceptedV1.sum() + this.acceptedV2.sum();
	}

	/**
	 * @param version 1 or 2
	 * @return headers of that version accepted
	 */
	public long headersAccepted(int version) {
		return ((version == 1) ? this.acceptedV1 : this.acceptedV2).sum();
	}

	/** @return v2 LOCAL headers accepted (the balancer's health checks) */
	public long localHeaders() {
		return this.local.sum();
	}

	/**
	 * @param reason a reason
	 * @return connections closed for that reason before their header completed
	 */
	public long headersRefused(ProxyHeaderRefusal reason) {
		return this.refused.get(reason).sum();
	}

	/** @return connections closed before their header completed, for any reason */
	public long headersRefused() {
		long sum = 0;
		for (LongAdder adder : this.refused.values()) {
			sum += adder.sum();
		}
		return sum;
	}

}
