package io.github.tcpserver.protocol.chat;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The text rules every chat room shares: valid names, the case-insensitive key of a name, and
 * making relayed text a single line.
 */
public final class ChatText {

	/** Names: 1 to 24 letters, digits, '_', '-' or '.'; no spaces, so {@code /msg NAME text} parses. */
	static final Pattern VALID_NAME = Pattern.compile("[\\p{L}\\p{N}_.-]{1,24}");

	/** The leave reason of a member that said /quit: the notice then gives no reason. */
	public static final String QUIT = "";

	private ChatText() {
	}

	/** @return the refusal for an invalid name, or {@code null} when {@code name} is valid */
	public static String checkName(String name) {
		if (!VALID_NAME.matcher(name).matches()) {
			return "Invalid name '" + singleLine(name) + "': use 1 to 24 letters, digits, '_', '-' or '.'";
		}
		return null;
	}

	/** @return the key under which a name is unique: names differ only if their keys do */
	public static String key(String name) {
		return name.toLowerCase(Locale.ROOT);
	}

	/** @return the notice telling the others that {@code name} left, with the reason if any */
	public static String leaveNotice(String name, String reason) {
		return "* " + name + " left the room" + ((reason != null && !reason.isEmpty()) ? " (" + reason + ")" : "");
	}

	/**
	 * Makes text safe to relay as one line: a message from a length-prefixed client may carry line
	 * breaks or other control characters, which would forge extra lines for line-based clients.
	 */
	public static String singleLine(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 || c == 0x7F) {
				return replaceControls(text);
			}
		}
		return text;
	}

	private static String replaceControls(String text) {
		StringBuilder clean = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			clean.append((c < 0x20 || c == 0x7F) ? ' ' : c);
		}
		return clean.toString();
	}

}
