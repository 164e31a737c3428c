package io.github.tcpserver.protocol.http;

import java.time.Duration;

/**
 * The bounds of what HTTP connections may send, each with one outcome when exceeded: a request
 * line over {@code maxRequestLine} is answered 414, a header section over {@code maxHeaderSize}
 * 431, a body over {@code maxBodySize} 413, a header section slower than
 * {@code requestHeaderTimeout} or a body slower than {@code minRequestBodyRate} 408, a response
 * taken slower than {@code minResponseRate} a close, a body that
 * does not fit in what is left of the shared {@link RequestMemoryBudget} 503; the connection is
 * then closed. {@code maxPipelinedRequests} is how many requests already received are answered in
 * a row before the connection yields its I/O thread to the others. A connection that makes no
 * progress in either direction for {@code idleTimeout} (nothing received while waiting for a
 * request, or queued output not accepted by the peer) is closed.
 * <p>
 * Handlers built with one instance share its {@link #requestMemory() budget}: pass the same
 * instance (the auto-configured bean) to every {@code HttpServerHandler} to bound them together.
 *
 * @param maxRequestLine the most bytes of a request line (and of a chunk-size line), without CRLF
 * @param maxHeaderSize the most bytes of a header section (and of a trailer section), CRLFs included
 * @param maxBodySize the most bytes of a request body, after de-chunking
 * @param maxPipelinedRequests the most requests answered from buffered input before yielding
 * @param idleTimeout how long a connection may make no progress (between requests too); zero for never
 * @param requestHeaderTimeout how long the request line and header section of one request may take
 * to arrive; zero for unbounded
 * @param minRequestBodyRate the slowest a body may arrive, in bytes per second over each window of
 * {@code requestBodyGracePeriod} (at least a second) after the first; zero for no minimum
 * @param requestBodyGracePeriod how long a body may arrive at any rate before the minimum applies
 * (and the length of each window in which the body and response rates are measured)
 * @param minResponseRate the slowest a client may take a pending response, in bytes per second
 * over each window of {@code requestBodyGracePeriod}; zero for no minimum
 * @param requestMemory the bound on bytes held by all partially received bodies together
 * @param asyncTimeout how long an {@link HttpResponse#async asynchronous} or offloaded handler may
 * take before its request is answered 503; zero for unbounded
 */
public record HttpLimits(int maxRequestLine, int maxHeaderSize, int maxBodySize, int maxPipelinedRequests,
		Duration idleTimeout, Duration requestHeaderTimeout, int minRequestBodyRate, Duration requestBodyGracePeriod,
		int minResponseRate, RequestMemoryBudget requestMemory, Duration asyncTimeout) {

	/** Default request line limit, as Netty's and Tomcat's. */
	public static final int DEFAULT_MAX_REQUEST_LINE = 8 * 1024;

	/** Default header section limit, as Netty's and Tomcat's. */
	public static final int DEFAULT_MAX_HEADER_SIZE = 8 * 1024;

	/** Default body limit. */
	public static final int DEFAULT_MAX_BODY_SIZE = 1024 * 1024;

	/** Default run of pipelined requests answered before other connections get a turn. */
	public static final int DEFAULT_MAX_PIPELINED_REQUESTS = 64;

	/** Default idle timeout: a keep-alive connection nobody uses is released after a minute. */
	public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

	/** Default time for a request's header section to arrive, as Tomcat's connection timeout. */
	public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(20);

	/**
	 * Default minimum body rate, 1 KiB/s: a modem-speed upload passes, a client trickling a few
	 * bytes every few seconds to pin a body buffer does not.
	 */
	public static final int DEFAULT_MIN_REQUEST_BODY_RATE = 1024;

	/**
	 * Default minimum response rate, 1 KiB/s: a client that reads a large response a few bytes at a
	 * time is closed instead of holding the queued output for as long as it likes.
	 */
	public static final int DEFAULT_MIN_RESPONSE_RATE = 1024;

	/** Default time a body may arrive at any rate (a client's first window, a slow start). */
	public static final Duration DEFAULT_REQUEST_BODY_GRACE_PERIOD = Duration.ofSeconds(5);

	/**
	 * Default bound on bodies being received, all connections together: 64 MiB, or one body of
	 * the largest size if that is more (so that a maximal request fits when no other body is
	 * arriving).
	 */
	public static final long DEFAULT_REQUEST_MEMORY = 64L * 1024 * 1024;

	/** Default time an asynchronous handler has to answer, as Servlet containers' async timeout. */
	public static final Duration DEFAULT_ASYNC_TIMEOUT = Duration.ofSeconds(30);

	public HttpLimits {
		if (asyncTimeout == null || asyncTimeout.isNegative()) {
			throw new IllegalArgumentException("asyncTimeout must be zero or positive but was " + asyncTimeout);
		}
		if (idleTimeout == null || idleTimeout.isNegative() || requestHeaderTimeout == null
				|| requestHeaderTimeout.isNegative() || requestBodyGracePeriod == null
				|| requestBodyGracePeriod.isNegative()) {
			throw new IllegalArgumentException("HTTP timeouts must be zero or positive but were " + idleTimeout
					+ ", " + requestHeaderTimeout + " and " + requestBodyGracePeriod);
		}
		requireAtLeast("maxRequestLine", maxRequestLine, 16);
		requireAtLeast("maxHeaderSize", maxHeaderSize, 16);
		requireAtLeast("maxBodySize", maxBodySize, 0);
		requireAtLeast("maxPipelinedRequests", maxPipelinedRequests, 1);
		requireAtLeast("minRequestBodyRate", minRequestBodyRate, 0);
		requireAtLeast("minResponseRate", minResponseRate, 0);
		if (requestMemory == null) {
			throw new IllegalArgumentException("requestMemory must not be null");
		}
	}

	/**
	 * Limits with the default asynchronous timeout.
	 * @param maxRequestLine the most bytes of a request line
	 * @param maxHeaderSize the most bytes of a header section
	 * @param maxBodySize the most bytes of a request body
	 * @param maxPipelinedRequests the most requests answered from buffered input before yielding
	 * @param idleTimeout how long a connection may make no progress; zero for never
	 * @param requestHeaderTimeout how long a header section may take to arrive; zero for unbounded
	 * @param minRequestBodyRate the slowest a body may arrive after the grace period, bytes per second
	 * @param requestBodyGracePeriod how long a body may arrive at any rate
	 * @param minResponseRate the slowest a client may take a pending response, bytes per second
	 * @param requestMemory the bound on bytes held by all partially received bodies together
	 */
	public HttpLimits(int maxRequestLine, int maxHeaderSize, int maxBodySize, int maxPipelinedRequests,
			Duration idleTimeout, Duration requestHeaderTimeout, int minRequestBodyRate, Duration requestBodyGracePeriod,
			int minResponseRate, RequestMemoryBudget requestMemory) {
		this(maxRequestLine, maxHeaderSize, maxBodySize, maxPipelinedRequests, idleTimeout, requestHeaderTimeout,
				minRequestBodyRate, requestBodyGracePeriod, minResponseRate, requestMemory, DEFAULT_ASYNC_TIMEOUT);
	}

	/**
	 * Limits with the default body rate and a budget of its own.
	 * @param maxRequestLine the most bytes of a request line
	 * @param maxHeaderSize the most bytes of a header section
	 * @param maxBodySize the most bytes of a request body
	 * @param maxPipelinedRequests the most requests answered from buffered input before yielding
	 * @param idleTimeout how long a connection may make no progress; zero for never
	 * @param requestHeaderTimeout how long a header section may take to arrive; zero for unbounded
	 */
	public HttpLimits(int maxRequestLine, int maxHeaderSize, int maxBodySize, int maxPipelinedRequests,
			Duration idleTimeout, Duration requestHeaderTimeout) {
		this(maxRequestLine, maxHeaderSize, maxBodySize, maxPipelinedRequests, idleTimeout, requestHeaderTimeout,
				DEFAULT_MIN_REQUEST_BODY_RATE, DEFAULT_REQUEST_BODY_GRACE_PERIOD, DEFAULT_MIN_RESPONSE_RATE,
				new RequestMemoryBudget(defaultRequestMemory(maxBodySize)));
	}

	/**
	 * Size limits with the default timeouts, body rate and a budget of its own.
	 * @param maxRequestLine the most bytes of a request line
	 * @param maxHeaderSize the most bytes of a header section
	 * @param maxBodySize the most bytes of a request body
	 * @param maxPipelinedRequests the most requests answered from buffered input before yielding
	 */
	public HttpLimits(int maxRequestLine, int maxHeaderSize, int maxBodySize, int maxPipelinedRequests) {
		this(maxRequestLine, maxHeaderSize, maxBodySize, maxPipelinedRequests, DEFAULT_IDLE_TIMEOUT,
				DEFAULT_REQUEST_HEADER_TIMEOUT);
	}

	/** @return the defaults, with a budget of their own */
	public static HttpLimits defaults() {
		return new HttpLimits(DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_BODY_SIZE,
				DEFAULT_MAX_PIPELINED_REQUESTS);
	}

	/**
	 * @param maxBodySize the most bytes of one body
	 * @return {@link #DEFAULT_REQUEST_MEMORY}, or {@code maxBodySize} if that is more
	 */
	public static long defaultRequestMemory(int maxBodySize) {
		return Math.max(DEFAULT_REQUEST_MEMORY, maxBodySize);
	}

	/**
	 * @param budget the budget to share
	 * @return these limits with that budget
	 */
	public HttpLimits withRequestMemory(RequestMemoryBudget budget) {
		return new HttpLimits(this.maxRequestLine, this.maxHeaderSize, this.maxBodySize, this.maxPipelinedRequests,
				this.idleTimeout, this.requestHeaderTimeout, this.minRequestBodyRate, this.requestBodyGracePeriod,
				this.minResponseRate, budget, this.asyncTimeout);
	}

	/**
	 * @param bytesPerSecond the slowest a body may arrive after the grace period; zero for no minimum
	 * @param gracePeriod how long a body may arrive at any rate
	 * @return these limits with that minimum rate
	 */
	public HttpLimits withMinRequestBodyRate(int bytesPerSecond, Duration gracePeriod) {
		return new HttpLimits(this.maxRequestLine, this.maxHeaderSize, this.maxBodySize, this.maxPipelinedRequests,
				this.idleTimeout, this.requestHeaderTimeout, bytesPerSecond, gracePeriod, this.minResponseRate,
				this.requestMemory, this.asyncTimeout);
	}

	/**
	 * @param bytesPerSecond the slowest a client may take a pending response; zero for no minimum
	 * @return these limits with that minimum response rate
	 */
	public HttpLimits withMinResponseRate(int bytesPerSecond) {
		return new HttpLimits(this.maxRequestLine, this.maxHeaderSize, this.maxBodySize, this.maxPipelinedRequests,
				this.idleTimeout, this.requestHeaderTimeout, this.minRequestBodyRate, this.requestBodyGracePeriod,
				bytesPerSecond, this.requestMemory, this.asyncTimeout);
	}

	/**
	 * @param timeout how long an asynchronous or offloaded handler may take before its request is
	 * answered 503; zero for unbounded
	 * @return these limits with that timeout
	 */
	public HttpLimits withAsyncTimeout(Duration timeout) {
		return new HttpLimits(this.maxRequestLine, this.maxHeaderSize, this.maxBodySize, this.maxPipelinedRequests,
				this.idleTimeout, this.requestHeaderTimeout, this.minRequestBodyRate, this.requestBodyGracePeriod,
				this.minResponseRate, this.requestMemory, timeout);
	}

	private static void requireAtLeast(String name, int value, int min) {
		if (value < min) {
			throw new IllegalArgumentException(name + " must be at least " + min + " but was " + value);
		}
	}

}
