package io.github.tcpserver.protocol.chat.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The wire form of the shared room's events, without Redis.
 */
class ChatEventTests {

	@Test
	void everyKindOfEventSurvivesItsWireFormWithSpacesAndSeparatorsOfOtherKindsInTheText() {
		for (ChatEvent event : new ChatEvent[] {
				ChatEvent.line("123-abcdef", "7", "alice: a | b : c  # d \\u001E ünï €"),
				ChatEvent.line("123-abcdef", ChatEvent.OTHER_INSTANCES, "* alice left the room (server shutting down)"),
				ChatEvent.line("123-abcdef", ChatEvent.EVERYONE, ""),
				ChatEvent.privateLine("9-1", "bob", "alice (private): hi"),
				ChatEvent.claim("9-1", "alice", "Alice", "al"),
				ChatEvent.claim("9-1", "-", "-", ""),
				ChatEvent.release("9-1", "alice") }) {
			assertThat(ChatEvent.decode(event.encode())).isEqualTo(event);
		}
	}

	@Test
	void textThatIsNotAnEventIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> ChatEvent.decode("hello"));
		assertThatIllegalArgumentException().isThrownBy(() -> ChatEvent.decode("X\u001Fi\u001F\u001F\u001F\u001Ftext"))
			.withMessageContaining("Unknown chat event type 'X'");
		assertThatIllegalArgumentException().isThrownBy(() -> ChatEvent.decode("L\u001F\u001F\u001F\u001F\u001Ftext"))
			.withMessageContaining("instance");
	}

}
