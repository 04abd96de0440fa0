using Pix.Protocol.Ids;

namespace Pix.Storage.Regions;

/// <summary>
/// The ISPB is not this node's region's to serve: the node's map says so, or the store refused the step because the
/// ISPB changed owner at a later epoch than the node knows (its fence). Nothing was changed; the request is answered
/// 421 naming the owner.
/// </summary>
public sealed class MisdirectedException(Ispb ispb, string reason) : Exception(reason)
{
    public Ispb Ispb { get; } = ispb;
}
