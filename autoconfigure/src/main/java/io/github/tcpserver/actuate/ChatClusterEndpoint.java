package io.github.tcpserver.actuate;

import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import io.github.tcpserver.protocol.chat.redis.RedisChatRoom;

/**
 * The {@code chat} Actuator endpoint: the cluster as this instance sees it, the instances and their
 * members, and the state of its Redis connection.
 */
@Endpoint(id = "chat")
public class ChatClusterEndpoint {

	private final RedisChatRoom room;

	public ChatClusterEndpoint(RedisChatRoom room) {
		this.room = room;
	}

	@ReadOperation
	public ClusterDescriptor cluster() {
		Map<String, List<String>> instances = this.room.membersByInstance();
		return new ClusterDescriptor(this.room.instanceId(), this.room.state().name(), this.room.lastError(),
				this.room.redisOutages(), this.room.size(), instances);
	}

	/**
	 * The chat cluster as one instance sees it.
	 *
	 * @param instance this instance's id
	 * @param redis the state of its Redis connection
	 * @param lastError the last Redis error, if any
	 * @param redisOutages times the connection was lost
	 * @param members members on every instance
	 * @param instances the members of each instance seen, by instance id
	 */
	public record ClusterDescriptor(String instance, String redis, String lastError, long redisOutages, int members,
			Map<String, List<String>> instances) {
	}

}
