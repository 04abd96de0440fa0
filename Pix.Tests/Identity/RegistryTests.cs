using Pix.Tests.Support;
using static Pix.Tests.Support.TestCertificates;

namespace Pix.Tests.Identity;

/// <summary>mtls with a participant registry: the SPI and PSP 1 from anywhere on loopback, PSP 2 only from 10.0.0.0/8
/// (so never from this test), PSP 3 and PSP 4 not listed (PSP 4 is added while the server runs).</summary>
public sealed class RegistryFixture : MutualTlsFixture
{
    public string Registry => Certificates.File("participants.json");

    public static string Json(bool withPsp4)
    {
        var psp4 = withPsp4 ? $", {{ \"ispb\": \"{Psp4}\", \"name\": \"Banco Quatro\", \"networks\": [] }}" : "";
        return $"{{ \"participants\": [ {{ \"ispb\": \"{Spi}\", \"name\": \"SPI\", \"networks\": [\"127.0.0.0/8\", \"::1/128\"] }}, "
            + $"{{ \"ispb\": \"{Psp1}\", \"name\": \"Banco Um\" }}, {{ \"ispb\": \"{Psp2}\", \"name\": \"Banco Dois\", \"networks\": [\"10.0.0.0/8\"] }}{psp4} ] }}";
    }

    protected override IEnumerable<(string Key, string Value)> Settings
    {
        get
        {
            File.WriteAllText(Registry, Json(withPsp4: false));
            return [("Pix:Participants:Path", Registry)];
        }
    }
}

public sealed class RegistryTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task AnUnlistedParticipantIsForbiddenAndTheSpiCannotCreateAQueueForIt()
    {
        using var psp3 = await fixture.ConnectAsync(Psp3);
        var start = await psp3.StartAsync(Psp3);
        Assert.Equal(403, start.Status);
        Assert.Contains("not registered", start.Text);
        Assert.Equal(403, (await psp3.PostAsync(Psp3, TestMessages.Pacs008(Psp3, Spi))).Status);

        using var spi = await fixture.ConnectAsync(Spi);
        var toUnlisted = await spi.PostMultipartAsync(Spi, [TestMessages.Pacs008(Spi, Psp1, "listed"), TestMessages.Pacs008(Spi, Psp3, "unlisted")]);
        Assert.Equal(403, toUnlisted.Status);
        Assert.Contains("not a registered participant", toUnlisted.Text);

        // All or nothing: the message to the listed PSP was not stored either.
        using var psp1 = await fixture.ConnectAsync(Psp1);
        var read = await psp1.StartAsync(Psp1);
        Assert.DoesNotContain(IcomClient.Messages(read), m => IcomClient.Tag(m.Xml) == "listed");
        await psp1.DeleteAsync(read.Header("PI-Pull-Next")!);
    }

    [Fact]
    public async Task AClientOutsideItsRegisteredNetworksIsForbidden()
    {
        using var psp2 = await fixture.ConnectAsync(Psp2);
        var start = await psp2.StartAsync(Psp2);
        Assert.Equal(403, start.Status);
        Assert.Contains("may not connect from this address", start.Text);

        using var spi = await fixture.ConnectAsync(Spi);
        Assert.Equal(201, (await spi.PostAsync(Spi, TestMessages.Pacs008(Spi, Psp1, "from-loopback"))).Status);
    }

    [Fact]
    public async Task TheRegistryIsReloadedWhenItsFileChanges()
    {
        using (var before = await fixture.ConnectAsync(Psp4))
        {
            Assert.Equal(403, (await before.StartAsync(Psp4)).Status);
        }
        TestCertificates.WriteReplacing(fixture.Registry, RegistryFixture.Json(withPsp4: true));
        Assert.True(await Refusals.LoggedAsync(fixture.Server, "4 participant(s)"), fixture.Server.Output);
        using var after = await fixture.ConnectAsync(Psp4);
        var start = await after.StartAsync(Psp4);
        Assert.Equal(204, start.Status);
        Assert.Equal(200, (await after.DeleteAsync(start.Header("PI-Pull-Next")!)).Status);
    }
}
