package io.github.tcpserver.protocol.http;

import java.nio.charset.StandardCharsets;

/**
 * Reason phrases (RFC 9110 §15) and pre-encoded status lines ({@code HTTP/1.1 200 OK\r\n}, RFC
 * 9112 §4), so that a response's first line is one array copy.
 */
public final class HttpStatus {

	private static final byte[][] STATUS_LINES = new byte[600][];

	static {
		for (int status = 100; status < 600; status++) {
			STATUS_LINES[status] = ("HTTP/1.1 " + status + " " + reasonPhrase(status) + "\r\n")
				.getBytes(StandardCharsets.US_ASCII);
		}
	}

	private HttpStatus() {
	}

	/**
	 * @param status a status code from 100 to 599
	 * @return its reason phrase from RFC 9110 §15, or {@code ""} for an unregistered code (the
	 * phrase is optional, RFC 9112 §4)
	 */
	public static String reasonPhrase(int status) {
		return switch (status) {
			case 100 -> "Continue";
			case 101 -> "Switching Protocols";
			case 200 -> "OK";
			case 201 -> "Created";
			case 202 -> "Accepted";
			case 204 -> "No Content";
			case 206 -> "Partial Content";
			case 301 -> "Moved Permanently";
			case 302 -> "Found";
			case 303 -> "See Other";
			case 304 -> "Not Modified";
			case 307 -> "Temporary Redirect";
			case 308 -> "Permanent Redirect";
			case 400 -> "Bad Request";
			case 401 -> "Unauthorized";
			case 403 -> "Forbidden";
			case 404 -> "Not Found";
			case 405 -> "Method Not Allowed";
			case 406 -> "Not Acceptable";
			case 408 -> "Request Timeout";
			case 409 -> "Conflict";
			case 410 -> "Gone";
			case 411 -> "Length Required";
			case 413 -> "Content Too Large";
			case 414 -> "URI Too Long";
			case 415 -> "Unsupported Media Type";
			case 417 -> "Expectation Failed";
			case 422 -> "Unprocessable Content";
			case 429 -> "Too Many Requests";
			case 431 -> "Request Header Fields Too Large";
			case 500 -> "Internal Server Error";
			case 501 -> "Not Implemented";
			case 502 -> "Bad Gateway";
			case 503 -> "Service Unavailable";
			case 504 -> "Gateway Timeout";
			case 505 -> "HTTP Version Not Supported";
			default -> "";
		};
	}

	static byte[] statusLine(int status) {
		return STATUS_LINES[status];
	}

	static void requireValid(int status) {
		if (status < 100 || status > 599) {
			throw new IllegalArgumentException("An HTTP status is from 100 to 599 but was " + status);
		}
	}

}
