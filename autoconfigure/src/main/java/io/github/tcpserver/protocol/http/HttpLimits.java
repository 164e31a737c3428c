package io.github.tcpserver.protocol.http;

import java.time.Duration;

/**
 * The bounds of what one HTTP connection may send, each with one outcome when exceeded: a request
 * line over {@code maxRequestLine} is answered 414, a header section over {@code maxHeaderSize}
 * 431, a body over {@code maxBodySize} 413, and the connection is then closed.
 * {@code maxPipelinedRequests} is how many requests already received are answered in a row
 * before the connection yields its I/O thread to the others. A connection from which nothing
 * arrives for {@code idleTimeout} is closed; a request whose header section takes longer than
 * {@code requestHeaderTimeout} to arrive (a slowloris trickling bytes) is answered 408 and closed.
 *
 * @param maxRequestLine the most bytes of a request line (and of a chunk-size line), without CRLF
 * @param maxHeaderSize the most bytes of a header section (and of a trailer section), CRLFs included
 * @param maxBodySize the most bytes of a request body, after de-chunking
 * @param maxPipelinedRequests the most requests answered from buffered input before yielding
 * @param idleTimeout how long a connection may stay silent (between requests too); zero for never
 * @param requestHeaderTimeout how long the request line and header section of one request may take
 * to arrive; zero for unbounded
 */
public record HttpLimits(int maxRequestLine, int maxHeaderSize, int maxBodySize, int maxPipelinedRequests,
		Duration idleTimeout, Duration requestHeaderTimeout) {

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

	public HttpLimits {
		if (idleTimeout == null || idleTimeout.isNegative() || requestHeaderTimeout == null
				|| requestHeaderTimeout.isNegative()) {
			throw new IllegalArgumentException("HTTP timeouts must be zero or positive but were " + idleTimeout
					+ " and " + requestHeaderTimeout);
		}
		requireAtLeast("maxRequestLine", maxRequestLine, 16);
		requireAtLeast("maxHeaderSize", maxHeaderSize, 16);
		requireAtLeast("maxBodySize", maxBodySize, 0);
		requireAtLeast("maxPipelinedRequests", maxPipelinedRequests, 1);
	}

	/**
	 * Size limits with the default timeouts.
	 * @param maxRequestLine the most bytes of a request line
	 * @param maxHeaderSize the most bytes of a header section
	 * @param maxBodySize the most bytes of a request body
	 * @param maxPipelinedRequests the most requests answered from buffered input before yielding
	 */
	public HttpLimits(int maxRequestLine, int maxHeaderSize, int maxBodySize, int maxPipelinedRequests) {
		this(maxRequestLine, maxHeaderSize, maxBodySize, maxPipelinedRequests, DEFAULT_IDLE_TIMEOUT,
				DEFAULT_REQUEST_HEADER_TIMEOUT);
	}

	/** @return the defaults */
	public static HttpLimits defaults() {
		return new HttpLimits(DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_BODY_SIZE,
				DEFAULT_MAX_PIPELINED_REQUESTS);
	}

	private static void requireAtLeast(String name, int value, int min) {
		if (value < min) {
			throw new IllegalArgumentException(name + " must be at least " + min + " but was " + value);
		}
	}

}
