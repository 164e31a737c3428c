package io.github.tcpserver.protocol.http;

/**
 * A request the parser rejects, with the status to answer it with (400, 413, 414, 431, 501 or
 * 505). After one, the connection can no longer be trusted to be in sync and is closed.
 */
public class HttpParseException extends RuntimeException {

	private final int status;

	public HttpParseException(int status, String message) {
		super(message, null, false, false); // thrown per bad request: no stack trace to fill
		this.status = status;
	}

	/** @return the response status for this error */
	public int status() {
		return this.status;
	}

}
