package io.github.tcpserver.protocol.http;

/**
 * The bounds of what one HTTP connection may send, each with one outcome when exceeded: a request
 * line over {@code maxRequestLine} is answered 414, a header section over {@code maxHeaderSize}
 * 431, a body over {@code maxBodySize} 413, and the connection is then closed.
 * {@code maxPipelinedRequests} is how many requests already received are answered in a row
 * before the connection yields its I/O thread to the others.
 *
 * @param maxRequestLine the most bytes of a request line (and of a chunk-size line), without CRLF
 * @param maxHeaderSize the most bytes of a header section (and of a trailer section), CRLFs included
 * @param maxBodySize the most bytes of a request body, after de-chunking
 * @param maxPipelinedRequests the most requests answered from buffered input before yielding
 */
public record HttpLimits(int maxRequestLine, int maxHeaderSize, int maxBodySize, int maxPipelinedRequests) {

	/** Default request line limit, as Netty's and Tomcat's. */
	public static final int DEFAULT_MAX_REQUEST_LINE = 8 * 1024;

	/** Default header section limit, as Netty's and Tomcat's. */
	public static final int DEFAULT_MAX_HEADER_SIZE = 8 * 1024;

	/** Default body limit. */
	public static final int DEFAULT_MAX_BODY_SIZE = 1024 * 1024;

	/** Default run of pipelined requests answered before other connections get a turn. */
	public static final int DEFAULT_MAX_PIPELINED_REQUESTS = 64;

	public HttpLimits {
		requireAtLeast("maxRequestLine", maxRequestLine, 16);
		requireAtLeast("maxHeaderSize", maxHeaderSize, 16);
		requireAtLeast("maxBodySize", maxBodySize, 0);
		requireAtLeast("maxPipelinedRequests", maxPipelinedRequests, 1);
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
