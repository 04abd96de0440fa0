using Pix.Server.Tls;

namespace Pix.Bench.Commands;

/// <summary>
/// <c>certs --out DIR [--psps N]</c>: writes a certificate set for tests, load runs and labs, the same layout Pix
/// creates under <c>{DataDir}/dev-certs/</c>: a CA (ca.pem, ca.key), the server for localhost/127.0.0.1 (server.pem,
/// server.key, server.p12), and client certificates for the SPI 00038166 and PSPs 10000001.. (PEM and PKCS#12).
/// </summary>
internal static class CertsCommand
{
    public const string Usage = "certs --out DIR [--psps 2]";

    public static int Run(CommandArguments options)
    {
        var output = options.Text("out");
        if (output is null)
        {
            Console.Error.WriteLine($"pix-bench {Usage}");
            return 2;
        }
        var psps = (int)options.Number("psps", CertificateSet.DevelopmentPsps);
        if (psps is < 0 or > 9_999)
        {
            Console.Error.WriteLine("--psps must be between 0 and 9999.");
            return 2;
        }
        var set = CertificateSet.Create(output, psps);
        var participants = set.Participants();
        Console.WriteLine($"Wrote a certificate set to {set.Directory}: ca.pem/ca.key (the CA), server.pem/.key/.p12 (localhost, 127.0.0.1, ::1), "
            + $"and {participants.Length} participants as {{ispb}}.pem/.key/.p12: {string.Join(", ", participants.Take(5))}{(participants.Length > 5 ? ", ..." : "")}.");
        Console.WriteLine($"Serve with --Pix:Tls:CertificatePath {set.ServerCertificate} --Pix:Tls:KeyPath {set.ServerKey} --Pix:Tls:ClientCaPath {set.CaCertificate}");
        return 0;
    }
}
