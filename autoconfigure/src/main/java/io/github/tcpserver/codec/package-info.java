/**
 * Framing codecs: pure decoders and encoders that turn a byte stream into whole frames (raw bytes,
 * text lines, length-prefixed frames) and back, with no sockets and no Spring.
 */
package io.github.tcpserver.codec;
