using System.Diagnostics;
using System.Text;
using Pix.Server.Telemetry;

namespace Pix.Tests.Telemetry;

/// <summary>W3C Trace Context's <c>traceparent</c>, read from raw header bytes: what is honoured and what is ignored.</summary>
public sealed class TraceParentTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string SpanId = "00f067aa0ba902b7";

    [Theory]
    [InlineData("00-" + TraceId + "-" + SpanId + "-01", true)]
    [InlineData("00-" + TraceId + "-" + SpanId + "-00", false)]
    [InlineData("00-" + TraceId + "-" + SpanId + "-03", true)]
    // A later version may carry more fields after the flags; the known part is read.
    [InlineData("01-" + TraceId + "-" + SpanId + "-01-extra", true)]
    public void AValidHeaderGivesTheClientsTraceAndSpan(string header, bool sampled)
    {
        Assert.True(TraceParent.TryParse(Encoding.ASCII.GetBytes(header), "vendor=x"u8, out var context));
        Assert.Equal(TraceId, context.TraceId.ToHexString());
        Assert.Equal(SpanId, context.SpanId.ToHexString());
        Assert.Equal(sampled, context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
        Assert.True(context.IsRemote);
        Assert.Equal("vendor=x", context.TraceState);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00-" + TraceId + "-" + SpanId)]
    [InlineData("00-" + TraceId + "-" + SpanId + "-01-")]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-" + SpanId + "-01")]
    [InlineData("00-00000000000000000000000000000000-" + SpanId + "-01")]
    [InlineData("00-" + TraceId + "-0000000000000000-01")]
    [InlineData("ff-" + TraceId + "-" + SpanId + "-01")]
    [InlineData("00_" + TraceId + "-" + SpanId + "-01")]
    [InlineData("00-" + TraceId + "-" + SpanId + "-0g")]
    [InlineData("01-" + TraceId + "-" + SpanId + "-01x")]
    // Two traceparent headers are joined with ", " by the parser: ignored, as W3C asks.
    [InlineData("00-" + TraceId + "-" + SpanId + "-01, 00-" + TraceId + "-" + SpanId + "-01")]
    public void AnInvalidHeaderIsIgnored(string header)
    {
        Assert.False(TraceParent.TryParse(Encoding.ASCII.GetBytes(header), default, out var context));
        Assert.Equal(default, context);
    }
}
