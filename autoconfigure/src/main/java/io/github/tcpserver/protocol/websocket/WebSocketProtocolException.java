package io.github.tcpserver.protocol.websocket;

import io.github.tcpserver.codec.FrameException;

/**
 * A client broke RFC 6455 or a limit: the connection is failed (§7.1.7) with the close code this
 * exception carries (1002, 1007 or 1009).
 */
public class WebSocketProtocolException extends FrameException {

	private static final long serialVersionUID = 1L;

	private final int closeCode;

	public WebSocketProtocolException(int closeCode, String message) {
		super(message);
		this.closeCode = closeCode;
	}

	/** @return the status code of the Close frame that answers this error */
	public int closeCode() {
		return this.closeCode;
	}

}
