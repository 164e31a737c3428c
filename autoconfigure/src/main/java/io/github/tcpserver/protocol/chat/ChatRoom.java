package io.github.tcpserver.protocol.chat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The members of a chat room and the fan-out of their messages, as {@link ChatProtocol} uses them.
 * {@link LocalChatRoom} keeps the room in this JVM; a shared implementation (the Redis room of
 * {@code chat.cluster=redis}) spans every instance of the application. Implementations are
 * thread-safe and never block the calling I/O loop.
 */
public interface ChatRoom {

	/**
	 * Default bound on a member's unread output. Chat lines are short: a megabyte is thousands of
	 * unread messages, a client that far behind is not coming back, and it is well below the
	 * reactor's per-connection hard cap (16 MiB by default), which would let every idle-but-open
	 * client of a busy room pin that much memory before anything happened.
	 */
	long DEFAULT_MAX_PENDING_OUTPUT = 1024 * 1024;

	/** @return the names of the logged-in members of the whole room, sorted case-insensitively */
	List<String> memberNames();

	/** @return the logged-in member of that name (case-insensitive) connected to this instance */
	Optional<ChatMember> member(String name);

	/** @return the number of logged-in members of the whole room */
	int size();

	/** @return unread output, in bytes, past which a member is disconnected */
	long maxPendingOutput();

	/** @return members disconnected so far for not reading their output */
	long slowMemberDisconnects();

	/**
	 * Sends a server notice ({@code * text}) to every logged-in member.
	 * @param text the notice; line breaks become spaces
	 */
	void announce(String text);

	// ---------------------------------------------------------------- protocol side

	/**
	 * Claims {@code name} for {@code member}, releasing its previous name, and sets the member's
	 * name once claimed. The stage may complete on another thread (a shared room asks its store).
	 * @return a stage completing with {@code null} on success, otherwise the refusal for the client
	 */
	CompletionStage<String> claim(ChatMember member, String name);

	/** Takes a member out and, unless the server is stopping, tells the others why. */
	void leave(ChatMember member);

	/** The server is stopping: members are going away together, so none of them is told of each leave. */
	void shuttingDown();

	/**
	 * The server is about to accept connections, for the first time or again after a stop (a
	 * paused Spring test context resumed): names can be claimed and leaves are announced again.
	 * In a Spring application the auto-configured {@code ChatRoomLifecycle} calls it on every
	 * {@code ChatRoom} bean before the server starts; without Spring, call it before
	 * {@code SelectorServer.start()}.
	 */
	default void serving() {
	}

	/** Sends {@code line} to every logged-in member except {@code from} ({@code null}: everyone). */
	void broadcast(ChatMember from, String line);

	/**
	 * Filters and fans out a room message; each receiver gets the messages of one sender in the
	 * order sent.
	 * @return {@code null} when accepted for delivery, otherwise the rejection for the sender
	 */
	String publish(ChatMember from, String text);

	/**
	 * Filters and delivers a private message.
	 * @return {@code null} when accepted for delivery, otherwise the refusal for the sender
	 */
	String sendPrivate(ChatMember from, String to, String text);

	/** Writes one line to a member of this instance, or disconnects it if it has stopped reading. */
	void deliver(ChatMember member, String line);

}
