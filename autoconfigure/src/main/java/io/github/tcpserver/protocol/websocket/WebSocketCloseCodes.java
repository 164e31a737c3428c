package io.github.tcpserver.protocol.websocket;

/**
 * The close status codes of RFC 6455 §7.4.1 that this server sends or understands, and the rule for
 * which codes may appear in a Close frame on the wire (§7.4.2).
 */
public final class WebSocketCloseCodes {

	/** The purpose of the connection is fulfilled. */
	public static final int NORMAL = 1000;

	/** The server is going down (graceful shutdown) or a browser left the page. */
	public static final int GOING_AWAY = 1001;

	/** The peer broke the framing rules of RFC 6455. */
	public static final int PROTOCOL_ERROR = 1002;

	/** A message of a type the endpoint cannot accept (binary to a text-only handler). */
	public static final int UNSUPPORTED_DATA = 1003;

	/** Reported to the application when a Close frame carried no code; never sent (§7.4.1). */
	public static final int NO_STATUS = 1005;

	/** Reported to the application when the TCP connection ended without a Close frame; never sent. */
	public static final int ABNORMAL = 1006;

	/** A text message (or close reason) that is not valid UTF-8 (§8.1). */
	public static final int INVALID_PAYLOAD = 1007;

	/** A message that violates the application's policy (a refused origin, a rule of the room). */
	public static final int POLICY_VIOLATION = 1008;

	/** A frame or message over {@code max-frame-size} or {@code max-message-size}. */
	public static final int MESSAGE_TOO_BIG = 1009;

	/** The application's handler failed on a message. */
	public static final int INTERNAL_ERROR = 1011;

	private WebSocketCloseCodes() {
	}

	/**
	 * @param code a status code
	 * @return whether an endpoint may put {@code code} in a Close frame: 1000-1003 and 1007-1014
	 * (registered by IANA), 3000-4999 (libraries and applications); 1004-1006 and 1015 are reserved
	 * for reporting and must not be sent (§7.4.1, §7.4.2)
	 */
	public static boolean isSendable(int code) {
		return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
	}

}
