package io.github.tcpserver.codec;

import java.nio.ByteBuffer;

/**
 * No framing: every chunk of bytes read is a frame, as the socket delivered it. For stream
 * protocols such as echo; the frame is the read buffer itself, so nothing is copied.
 */
public final class RawCodec implements FrameCodec<ByteBuffer> {

	/** Raw framing has no state, so one decoder serves every connection. */
	private static final FrameDecoder<ByteBuffer> PASS_THROUGH = (in, out) -> {
		if (in.hasRemaining()) {
			out.accept(in);
		}
		in.position(in.limit());
	};

	@Override
	public FrameDecoder<ByteBuffer> newDecoder() {
		return PASS_THROUGH;
	}

	@Override
	public ByteBuffer encode(ByteBuffer frame) {
		return frame.duplicate();
	}

	@Override
	public String toString() {
		return "raw bytes";
	}

}
