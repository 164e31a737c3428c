package io.github.tcpserver.codec;

/**
 * A byte stream broke its framing rules. After one, the stream cannot be resynchronised: the
 * connection it came from should be closed (after an error reply where the protocol allows one).
 */
public class FrameException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public FrameException(String message) {
		super(message);
	}

}
