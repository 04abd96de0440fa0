# Pix tasks for PowerShell (Windows, or pwsh anywhere); build.sh is the same for POSIX shells.
# Usage: ./build.ps1 [build|test|test-long|bench|gate|run|simulate] [args...]      -DryRun prints the command instead of running it.
# Only language features and .NET calls are used (no cmdlets), so it also runs in a bare hosted runspace.
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'test-long', 'bench', 'gate', 'run', 'simulate')]
    [string]$Task = 'build',
    [switch]$DryRun,
    [Parameter(Position = 1, ValueFromRemainingArguments = $true)]
    [string[]]$Rest = @()
)
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
if (-not $root) { $root = [System.IO.Directory]::GetCurrentDirectory() }
[System.IO.Directory]::SetCurrentDirectory($root)

# Variables for the dotnet this starts, set only when it runs: a dry run in a hosted runspace (the tests) must not
# change its host's environment (the test host once inherited PIX_SIMULATION_SEEDS=50000 and ran the simulation for
# half an hour).
$environment = @{}
$arguments = switch ($Task) {
    'build' { @('build', 'Pix.sln', '-c', 'Release') }
    'test'  { @('test', 'Pix.sln', '-c', 'Release', '--logger', 'console;verbosity=normal') }
    'test-long' { @('test', 'Pix.sln', '-c', 'Release', '--filter', 'Category=Drill', '--environment', 'PIX_LONG_DRILLS=1', '--logger', 'console;verbosity=detailed') }
    'bench' { @('run', '-c', 'Release', '--project', 'Pix.Bench', '--', 'bench') }
    'gate'  { @('run', '-c', 'Release', '--project', 'Pix.Bench', '--', 'gate') }
    'run'   { @('run', '-c', 'Release', '--project', 'Pix.Server', '--') }
    'simulate' {
        if (-not [Environment]::GetEnvironmentVariable('PIX_SIMULATION_SEEDS')) { $environment['PIX_SIMULATION_SEEDS'] = '50000' }
        @('test', 'Pix.Tests', '-c', 'Release', '--filter', 'FullyQualifiedName~EmbeddedStoreSimulationTests', '--logger', 'console;verbosity=detailed')
    }
}
$arguments = @($arguments) + @($Rest)

[Console]::WriteLine('> dotnet ' + ($arguments -join ' '))
if ($DryRun) { return }
foreach ($name in $environment.Keys) { [Environment]::SetEnvironmentVariable($name, $environment[$name]) }
& dotnet @arguments
if ($LASTEXITCODE -ne 0) { throw "dotnet exited with code $LASTEXITCODE" }
