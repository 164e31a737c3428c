package io.github.tcpserver.protocol.http;

/**
 * Checks of field names and values an application hands to a response, so that no application
 * data can become a header line of its own (response splitting): a name must be a token (RFC
 * 9110 §5.1, §5.6.2), a value field-content only (§5.5: visible ASCII, obs-text, SP and HTAB
 * inside; no CR, LF, NUL or other control character; nothing above U+00FF, which the ISO-8859-1
 * encoder would narrow to another byte, U+010D to CR for one).
 */
final class HttpFieldSyntax {

	/** RFC 9110 §5.6.2 tchar, as a lookup table; the request parser uses it too. */
	private static final boolean[] TCHAR = new boolean[128];

	static {
		for (char c = '0'; c <= '9'; c++) {
			TCHAR[c] = true;
		}
		for (char c = 'a'; c <= 'z'; c++) {
			TCHAR[c] = true;
			TCHAR[c - 32] = true;
		}
		for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
			TCHAR[c] = true;
		}
	}

	private HttpFieldSyntax() {
	}

	/**
	 * @param c a character or an unsigned byte value
	 * @return whether it is an RFC 9110 §5.6.2 tchar
	 */
	static boolean isTchar(int c) {
		return c >= 0 && c < 128 && TCHAR[c];
	}

	/**
	 * @param name a field name
	 * @return the name
	 * @throws IllegalArgumentException if it is not a token
	 */
	static String requireName(String name) {
		if (name == null || name.isEmpty()) {
			throw new IllegalArgumentException("A header name must not be empty");
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (!isTchar(c)) {
				throw new IllegalArgumentException("Invalid character 0x" + Integer.toHexString(c)
						+ " in header name '" + printable(name) + "' (RFC 9110 §5.1: a token)");
			}
		}
		return name;
	}

	/**
	 * @param name the field's name, for the message
	 * @param value a field value
	 * @return the value
	 * @throws IllegalArgumentException if it holds a character a field value may not
	 */
	static String requireValue(String name, String value) {
		if (value == null) {
			throw new IllegalArgumentException("The value of header " + name + " must not be null");
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
				throw new IllegalArgumentException("Invalid character 0x" + Integer.toHexString(c)
						+ " in the value of header " + name + " (RFC 9110 §5.5)");
			}
		}
		return value;
	}

	private static String printable(String text) {
		StringBuilder out = new StringBuilder(Math.min(text.length(), 64));
		for (int i = 0; i < text.length() && i < 64; i++) {
			char c = text.charAt(i);
			out.append((c >= 0x20 && c < 0x7f) ? c : '?');
		}
		return out.toString();
	}

}
