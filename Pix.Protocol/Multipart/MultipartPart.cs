namespace Pix.Protocol.Multipart;

/// <summary>One part of a multipart body: where its content lies in the body.</summary>
public readonly record struct MultipartPart(Range Content);
