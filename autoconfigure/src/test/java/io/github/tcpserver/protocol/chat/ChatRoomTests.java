package io.github.tcpserver.protocol.chat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LocalChatRoom} on its own, without sockets: what other threads see while a member renames
 * itself.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatRoomTests {

	@Test
	void aMemberRenamingItselfIsListedAndCountedOnceWhileOtherThreadsLook() throws Exception {
		LocalChatRoom room = new LocalChatRoom();
		ChatMember bob = new ChatMember(null, room);
		ChatMember alice = new ChatMember(null, room);
		assertThat(room.claimNow(bob, "bob")).isNull();
		assertThat(room.claimNow(alice, "alice")).isNull();
		int renames = 200_000;
		// The renames run on another thread, as on the member's own I/O loop; /who and broadcasts
		// walk the room from any loop meanwhile.
		CompletableFuture<Void> renaming = CompletableFuture.runAsync(() -> {
			for (int i = 0; i < renames; i++) {
				String refusal = room.claimNow(alice, (i % 2 == 0) ? "alice2" : "alice");
				if (refusal != null) {
					throw new AssertionError(refusal);
				}
			}
		});
		long looks = 0;
		while (!renaming.isDone() || looks == 0) {
			List<String> names = room.memberNames();
			if (names.size() != 2 || room.size() != 2) {
				throw new AssertionError("after " + looks + " looks the room listed " + names + ", size " + room.size());
			}
			looks++;
		}
		renaming.get();
		assertThat(room.memberNames()).containsExactly("alice", "bob");
		assertThat(room.member("alice2")).isEmpty();
	}

	@Test
	void aNameIsFreeAgainOnceItsMemberLeftOrRenamed() {
		LocalChatRoom room = new LocalChatRoom();
		ChatMember first = new ChatMember(null, room);
		ChatMember second = new ChatMember(null, room);
		assertThat(room.claimNow(first, "Ann")).isNull();
		assertThat(room.claimNow(second, "ann")).as("names are unique regardless of case").contains("taken");
		assertThat(room.claimNow(first, "Anna")).isNull();
		assertThat(room.claimNow(second, "ann")).isNull();
		room.shuttingDown(); // no leave notice, which would need a connection
		room.leave(first);
		assertThat(room.memberNames()).containsExactly("ann");
		assertThat(room.size()).isEqualTo(1);
	}

	@Test
	void aRoomServingAgainAfterAShutdownTakesNamesAgain() {
		LocalChatRoom room = new LocalChatRoom();
		room.shuttingDown();
		assertThat(room.claimNow(new ChatMember(null, room), "ann")).contains("shutting down");
		room.serving(); // the server started again (a paused test context resumed)
		assertThat(room.claimNow(new ChatMember(null, room), "ann")).isNull();
	}

}
