package io.github.tcpserver.protocol.chat;

import java.util.Objects;

/**
 * The application's hook on chat messages: accept, rewrite or reject each message before the
 * {@link ChatRoom} delivers it. Called on the sender's I/O thread, so it must be quick and must
 * not block.
 */
@FunctionalInterface
public interface ChatMessageFilter {

	/** Lets every message through unchanged. */
	ChatMessageFilter ACCEPT_ALL = (sender, recipient, text) -> Result.accept(text);

	/**
	 * @param sender the member who sent the message
	 * @param recipient the name of the private recipient, or {@code null} for a room message
	 * @param text the message text
	 * @return what to deliver, or why not
	 */
	Result filter(ChatMember sender, String recipient, String text);

	/**
	 * A filter's verdict: the text to deliver, or the reason told to the sender.
	 *
	 * @param text the text to deliver, {@code null} when rejected
	 * @param rejection the reason for the sender, {@code null} when accepted
	 */
	record Result(String text, String rejection) {

		public static Result accept(String text) {
			return new Result(Objects.requireNonNull(text, "text"), null);
		}

		public static Result reject(String reason) {
			return new Result(null, Objects.requireNonNull(reason, "reason"));
		}

		public boolean isAccepted() {
			return this.text != null;
		}

	}

}
