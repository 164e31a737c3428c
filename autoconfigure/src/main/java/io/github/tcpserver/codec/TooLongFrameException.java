package io.github.tcpserver.codec;

/**
 * A line or frame is longer than the decoder's limit. Raised as soon as the limit is passed, not
 * when the frame ends, so an endless line cannot grow a buffer without bound.
 */
public class TooLongFrameException extends FrameException {

	private static final long serialVersionUID = 1L;

	private final long limit;

	public TooLongFrameException(String message, long limit) {
		super(message);
		this.limit = limit;
	}

	/** @return the maximum the decoder accepts, in bytes */
	public long limit() {
		return this.limit;
	}

}
