package io.github.tcpserver.codec;

/**
 * A frame is complete but its content is malformed, such as text that is not valid UTF-8.
 */
public class CorruptedFrameException extends FrameException {

	private static final long serialVersionUID = 1L;

	public CorruptedFrameException(String message) {
		super(message);
	}

}
