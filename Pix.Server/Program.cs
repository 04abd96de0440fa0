// Entry point; the host is assembled in PixHost.
Console.WriteLine("Pix: the host is being assembled.");
return 0;
