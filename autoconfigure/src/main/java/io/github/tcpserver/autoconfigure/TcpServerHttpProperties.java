package io.github.tcpserver.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.RequestMemoryBudget;

/**
 * Limits of the HTTP/1.1 protocol ({@code tcp.server.http.*}), applied to every
 * {@code HttpServerHandler} built with the auto-configured {@link HttpLimits}. Each one exceeded
 * is answered with its status and a close. Handlers built with that one bean share one request
 * memory budget ({@code max-request-memory}).
 */
@ConfigurationProperties("tcp.server.http")
public class TcpServerHttpProperties {

	/** Longest request line (method, target, version); longer is answered 414. */
	private DataSize maxRequestLine = DataSize.ofBytes(HttpLimits.DEFAULT_MAX_REQUEST_LINE);

	/** Largest header section (and trailer section); larger is answered 431. */
	private DataSize maxHeaderSize = DataSize.ofBytes(HttpLimits.DEFAULT_MAX_HEADER_SIZE);

	/** Largest request body; larger is answered 413, before it is read when its length is declared. */
	private DataSize maxBodySize = DataSize.ofBytes(HttpLimits.DEFAULT_MAX_BODY_SIZE);

	/** Pipelined requests answered in a row before reading pauses and other connections get a turn. */
	private int maxPipelinedRequests = HttpLimits.DEFAULT_MAX_PIPELINED_REQUESTS;

	/** Close a connection from which nothing arrives for this long, between requests too; 0 for never. */
	private Duration idleTimeout = HttpLimits.DEFAULT_IDLE_TIMEOUT;

	/** Answer 408 and close when a request line and header section take longer than this to arrive; 0 for unbounded. */
	private Duration requestHeaderTimeout = HttpLimits.DEFAULT_REQUEST_HEADER_TIMEOUT;

	/** Answer 503 when an asynchronous handler (HttpResponse.async) or one run on an executor (blocking = true) has not answered within this; 0 for unbounded. */
	private Duration asyncTimeout = HttpLimits.DEFAULT_ASYNC_TIMEOUT;

	/** Observe every request with the Observation API (spans, trace continuation, the application's ObservationHandlers; about 4 us of CPU each); unset: only when the application has Micrometer Tracing, a request convention or ObservationHandlers of its own. */
	private Boolean observationsEnabled;

	/** Record the tcp.server.http.requests timer (per listener, route, method, status) directly when requests are not observed: the same meter at a fraction of the cost. */
	private boolean metricsEnabled = true;

	public Boolean getObservationsEnabled() {
		return this.observationsEnabled;
	}

	public void setObservationsEnabled(Boolean observationsEnabled) {
		this.observationsEnabled = observationsEnabled;
	}

	public boolean isMetricsEnabled() {
		return this.metricsEnabled;
	}

	public void setMetricsEnabled(boolean metricsEnabled) {
		this.metricsEnabled = metricsEnabled;
	}

	/** Answer 408 and close when a request body arrives slower than this per second over a window of the grace period's length, after the first; 0 for no minimum. */
	private DataSize minRequestBodyRate = DataSize.ofBytes(HttpLimits.DEFAULT_MIN_REQUEST_BODY_RATE);

	/** Close a connection whose pending response the client takes slower than this per second, over a window of the grace period's length; 0 for no minimum. */
	private DataSize minResponseRate = DataSize.ofBytes(HttpLimits.DEFAULT_MIN_RESPONSE_RATE);

	/** How long a request body may arrive at any rate before the minimum rate applies (and the length of each rate window). */
	private Duration requestBodyGracePeriod = HttpLimits.DEFAULT_REQUEST_BODY_GRACE_PERIOD;

	/** Bytes all partially received request bodies may hold together; a body that does not fit is answered 503. Default 64MB, or max-body-size if larger. */
	private DataSize maxRequestMemory;

	public DataSize getMinRequestBodyRate() {
		return this.minRequestBodyRate;
	}

	public void setMinRequestBodyRate(DataSize minRequestBodyRate) {
		requireSize("tcp.server.http.min-request-body-rate", minRequestBodyRate, 0);
		this.minRequestBodyRate = minRequestBodyRate;
	}

	public DataSize getMinResponseRate() {
		return this.minResponseRate;
	}

	public void setMinResponseRate(DataSize minResponseRate) {
		requireSize("tcp.server.http.min-response-rate", minResponseRate, 0);
		this.minResponseRate = minResponseRate;
	}

	public Duration getRequestBodyGracePeriod() {
		return this.requestBodyGracePeriod;
	}

	public void setRequestBodyGracePeriod(Duration requestBodyGracePeriod) {
		requireNotNegative("tcp.server.http.request-body-grace-period", requestBodyGracePeriod);
		this.requestBodyGracePeriod = requestBodyGracePeriod;
	}

	public DataSize getMaxRequestMemory() {
		return this.maxRequestMemory;
	}

	public void setMaxRequestMemory(DataSize maxRequestMemory) {
		if (maxRequestMemory != null && maxRequestMemory.toBytes() < 0) {
			throw new IllegalArgumentException(
					"tcp.server.http.max-request-memory must not be negative but was " + maxRequestMemory);
		}
		this.maxRequestMemory = maxRequestMemory;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		requireNotNegative("tcp.server.http.idle-timeout", idleTimeout);
		this.idleTimeout = idleTimeout;
	}

	public Duration getAsyncTimeout() {
		return this.asyncTimeout;
	}

	public void setAsyncTimeout(Duration asyncTimeout) {
		requireNotNegative("tcp.server.http.async-timeout", asyncTimeout);
		this.asyncTimeout = asyncTimeout;
	}

	public Duration getRequestHeaderTimeout() {
		return this.requestHeaderTimeout;
	}

	public void setRequestHeaderTimeout(Duration requestHeaderTimeout) {
		requireNotNegative("tcp.server.http.request-header-timeout", requestHeaderTimeout);
		this.requestHeaderTimeout = requestHeaderTimeout;
	}

	private static void requireNotNegative(String name, Duration value) {
		if (value == null || value.isNegative()) {
			throw new IllegalArgumentException(name + " must be zero or positive but was " + value);
		}
	}

	public DataSize getMaxRequestLine() {
		return this.maxRequestLine;
	}

	public void setMaxRequestLine(DataSize maxRequestLine) {
		requireSize("tcp.server.http.max-request-line", maxRequestLine, 16);
		this.maxRequestLine = maxRequestLine;
	}

	public DataSize getMaxHeaderSize() {
		return this.maxHeaderSize;
	}

	public void setMaxHeaderSize(DataSize maxHeaderSize) {
		requireSize("tcp.server.http.max-header-size", maxHeaderSize, 16);
		this.maxHeaderSize = maxHeaderSize;
	}

	public DataSize getMaxBodySize() {
		return this.maxBodySize;
	}

	public void setMaxBodySize(DataSize maxBodySize) {
		requireSize("tcp.server.http.max-body-size", maxBodySize, 0);
		this.maxBodySize = maxBodySize;
	}

	public int getMaxPipelinedRequests() {
		return this.maxPipelinedRequests;
	}

	public void setMaxPipelinedRequests(int maxPipelinedRequests) {
		if (maxPipelinedRequests < 1) {
			throw new IllegalArgumentException(
					"tcp.server.http.max-pipelined-requests must be at least 1 but was " + maxPipelinedRequests);
		}
		this.maxPipelinedRequests = maxPipelinedRequests;
	}

	/** @return the limits as the protocol takes them, with a request memory budget of their own */
	public HttpLimits toLimits() {
		int maxBody = (int) this.maxBodySize.toBytes();
		long memory = (this.maxRequestMemory != null) ? this.maxRequestMemory.toBytes()
				: HttpLimits.defaultRequestMemory(maxBody);
		return new HttpLimits((int) this.maxRequestLine.toBytes(), (int) this.maxHeaderSize.toBytes(), maxBody,
				this.maxPipelinedRequests, this.idleTimeout, this.requestHeaderTimeout,
				(int) this.minRequestBodyRate.toBytes(), this.requestBodyGracePeriod, (int) this.minResponseRate.toBytes(),
				new RequestMemoryBudget(memory), this.asyncTimeout);
	}

	private static void requireSize(String name, DataSize size, long min) {
		// Bodies are held in one array: under 2GB.
		if (size.toBytes() < min || size.toBytes() > Integer.MAX_VALUE - 8) {
			throw new IllegalArgumentException(name + " must be between " + min + "B and 2GB but was " + size);
		}
	}

}
