package io.github.tcpserver.actuate;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.github.tcpserver.protocol.http.RequestMemoryBudget;

/**
 * Meters of the HTTP request memory budget: bytes held by bodies still arriving, the bound, and
 * the bodies refused (503) because it was reached. Read when scraped; nothing on the I/O path.
 */
public class HttpRequestMemoryMetrics implements MeterBinder {

	private final RequestMemoryBudget budget;

	/**
	 * @param budget the budget shared by the HTTP listeners
	 */
	public HttpRequestMemoryMetrics(RequestMemoryBudget budget) {
		this.budget = budget;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("tcp.server.http.request.memory.used", this.budget, RequestMemoryBudget::used)
			.baseUnit("bytes")
			.description("Bytes held by HTTP request bodies still arriving, all connections together")
			.register(registry);
		Gauge.builder("tcp.server.http.request.memory.max", this.budget, RequestMemoryBudget::max)
			.baseUnit("bytes")
			.description("Bound on bytes held by HTTP request bodies still arriving (tcp.server.http.max-request-memory)")
			.register(registry);
		FunctionCounter.builder("tcp.server.http.request.memory.refused", this.budget, RequestMemoryBudget::refusals)
			.description("HTTP request bodies answered 503 because the request memory bound was reached")
			.register(registry);
	}

}
