/** The parts of an RTP packet (RFC 3550) an audio tap needs. */
export interface RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  /** The codec payload: after the CSRC list and header extension, before any padding. */
  payload: Uint8Array;
}

/** Reads an RTP packet, skipping CSRCs, a header extension and padding; undefined when it is not well-formed RTP. */
export function parseRtpPacket(packet: Uint8Array): RtpPacket | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const first = packet[0]!;
  let offset = 12 + 4 * (first & 0x0f);
  if (first & 0x10) {
    if (offset + 4 > packet.length) return undefined;
    offset += 4 + 4 * view.getUint16(offset + 2);
  }
  const padding = first & 0x20 ? packet[packet.length - 1]! : 0;
  const end = packet.length - padding;
  if (offset > end) return undefined;
  return {
    payloadType: packet[1]! & 0x7f,
    marker: (packet[1]! & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: packet.subarray(offset, end),
  };
}
