package io.github.tcpserver.protocol.chat.redis;

import java.util.Objects;

/**
 * One event of the shared room on its Redis channel, and its wire form: fields separated by the
 * ASCII unit separator (0x1F), which relayed text never contains (it is made a single line, control
 * characters replaced) and names cannot contain. Pure: strings in, events out.
 *
 * @param type what happened
 * @param instance the instance that published it
 * @param target per type: the member excluded from a {@link Type#LINE} (see the constants), the
 * recipient's key of a {@link Type#PRIVATE}, the claimed key of a {@link Type#CLAIM}, the released
 * key of a {@link Type#RELEASE}
 * @param name the display name of a {@link Type#CLAIM}, otherwise empty
 * @param previous the key released by a rename ({@link Type#CLAIM}), otherwise empty
 * @param text the line to deliver ({@link Type#LINE}, {@link Type#PRIVATE}), otherwise empty
 */
record ChatEvent(Type type, String instance, String target, String name, String previous, String text) {

	/** {@link Type#LINE} target: deliver to every member. */
	static final String EVERYONE = "";

	/** {@link Type#LINE} target: deliver to every member except those of the publishing instance. */
	static final String OTHER_INSTANCES = "*";

	private static final char SEPARATOR = '\u001F';

	ChatEvent {
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(instance, "instance");
		target = Objects.requireNonNullElse(target, "");
		name = Objects.requireNonNullElse(name, "");
		previous = Objects.requireNonNullElse(previous, "");
		text = Objects.requireNonNullElse(text, "");
	}

	/** The kinds of event, by their one-letter wire code. */
	enum Type {

		/** A line for members: a message, a notice, a join, rename or leave notice. */
		LINE('L'),

		/** A private line for the member whose key is the target, wherever it is connected. */
		PRIVATE('P'),

		/** A member of the instance now has the name (and released its previous key, if any). */
		CLAIM('C'),

		/** A member of the instance left, or its instance was found dead. */
		RELEASE('R');

		final char code;

		Type(char code) {
			this.code = code;
		}

		static Type of(char code) {
			for (Type type : values()) {
				if (type.code == code) {
					return type;
				}
			}
			throw new IllegalArgumentException("Unknown chat event type '" + code + "'");
		}

	}

	static ChatEvent line(String instance, String excluded, String text) {
		return new ChatEvent(Type.LINE, instance, excluded, null, null, text);
	}

	static ChatEvent privateLine(String instance, String recipientKey, String text) {
		return new ChatEvent(Type.PRIVATE, instance, recipientKey, null, null, text);
	}

	static ChatEvent claim(String instance, String key, String name, String previousKey) {
		return new ChatEvent(Type.CLAIM, instance, key, name, previousKey, null);
	}

	static ChatEvent release(String instance, String key) {
		return new ChatEvent(Type.RELEASE, instance, key, null, null, null);
	}

	/** @return the wire form */
	String encode() {
		return new StringBuilder(16 + this.instance.length() + this.target.length() + this.name.length()
				+ this.previous.length() + this.text.length())
			.append(this.type.code).append(SEPARATOR)
			.append(this.instance).append(SEPARATOR)
			.append(this.target).append(SEPARATOR)
			.append(this.name).append(SEPARATOR)
			.append(this.previous).append(SEPARATOR)
			.append(this.text)
			.toString();
	}

	/**
	 * @param wire an event's wire form
	 * @return the event
	 * @throws IllegalArgumentException if {@code wire} is not one (another program on the channel)
	 */
	static ChatEvent decode(String wire) {
		String[] fields = new String[6];
		int start = 0;
		for (int i = 0; i < 5; i++) {
			int end = wire.indexOf(SEPARATOR, start);
			if (end < 0) {
				throw new IllegalArgumentException("Not a chat event: " + fields.length + " fields expected");
			}
			fields[i] = wire.substring(start, end);
			start = end + 1;
		}
		fields[5] = wire.substring(start);
		if (fields[0].length() != 1 || fields[1].isEmpty()) {
			throw new IllegalArgumentException("Not a chat event: bad type or instance");
		}
		return new ChatEvent(Type.of(fields[0].charAt(0)), fields[1], fields[2], fields[3], fields[4], fields[5]);
	}

}
